using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// Keeps the k most likely tokens and rules out the rest. Exactly k survive even when several tokens tie at the
/// boundary: among equal logits the lower token id wins (a stable sort), so the result never depends on chance.
/// </summary>
public sealed record TopK : ILogitsTransform
{
    /// <summary>Creates the transform.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public TopK(int k)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "top-k needs k >= 1 (k = 1 is greedy). To switch top-k off, leave it out.");
        K = k;
    }

    /// <summary>How many tokens survive.</summary>
    public int K { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor logits)
    {
        var vocab = logits.shape[^1];
        if (K >= vocab)
            return logits.clone();
        using var scope = NewDisposeScope();
        var (_, order) = logits.sort(dim: -1, descending: true, stable: true);
        var dropped = ones_like(logits, dtype: ScalarType.Bool).scatter_(-1, order.narrow(-1, 0, K), zeros_like(logits, dtype: ScalarType.Bool));
        return logits.masked_fill(dropped, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
