using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>
/// Draws training batches from one long stream of token ids: each row is a random window of
/// <see cref="ContextLength"/> + 1 tokens; the input is its first <c>ContextLength</c> tokens and the target the same
/// window shifted by one (every position predicts the next token). Random windows rather than epochs keep the code
/// tiny; the generator's state is the data position a checkpoint stores.
/// </summary>
public sealed class TokenBatches : IDisposable
{
    private readonly Tensor tokens;

    /// <summary>Creates a batch source over <paramref name="tokenIds"/>.</summary>
    /// <exception cref="ArgumentException">The stream is shorter than one window.</exception>
    public TokenBatches(IReadOnlyList<int> tokenIds, int contextLength, int batchSize, long seed)
    {
        if (contextLength < 1 || batchSize < 1)
            throw new ArgumentException($"contextLength ({contextLength}) and batchSize ({batchSize}) must be at least 1.");
        if (tokenIds.Count < contextLength + 1)
            throw new ArgumentException($"The token stream has {tokenIds.Count} tokens, fewer than one window of {contextLength} + 1. Use more text or a shorter context.");
        ContextLength = contextLength;
        BatchSize = batchSize;
        Random = new SeededRandom(seed);
        TokenCount = tokenIds.Count;
        tokens = tensor(tokenIds.Select(i => (long)i).ToArray()).DetachFromDisposeScope();
    }

    /// <summary>Tokens per row of input.</summary>
    public int ContextLength { get; }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Tokens in the stream.</summary>
    public int TokenCount { get; }

    /// <summary>The generator that picks windows; its <see cref="SeededRandom.State"/> is the data position.</summary>
    public SeededRandom Random { get; }

    /// <summary>Draws the next batch: (input, target), each [BatchSize, ContextLength] int64. Dispose both (or use a dispose scope).</summary>
    public (Tensor Input, Tensor Target) Next()
    {
        var starts = new long[BatchSize];
        var windows = TokenCount - ContextLength; // a window starting at s needs tokens s .. s + ContextLength
        for (var row = 0; row < BatchSize; row++)
            starts[row] = Random.NextLong(windows);
        using var scope = NewDisposeScope();
        var index = tensor(starts).unsqueeze(1) + arange(ContextLength + 1, dtype: ScalarType.Int64).unsqueeze(0);
        var rows = tokens[index];
        var input = rows.narrow(1, 0, ContextLength).contiguous();
        var target = rows.narrow(1, 1, ContextLength).contiguous();
        return (input.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
    }

    /// <summary>Frees the token tensor.</summary>
    public void Dispose() => tokens.Dispose();
}
