using LlmCourse.Model;
using LlmCourse.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Evaluation;

/// <summary>
/// Perplexity and bits per byte of a model on any text, with a sliding window for texts longer than the model's
/// context (see <see cref="PerplexityOptions"/>), windows batched through the model. Also the loss at each position
/// of a window (<see cref="ByPosition(nn.Module{Tensor, Tensor}, IReadOnlyList{int}, int, int?, int)"/>), the
/// curve that shows a model breaking past the length it was trained on.
/// </summary>
/// <remarks>
/// Any module that maps token ids [batch, time] to next-token logits [batch, time, vocab] can be measured, not only
/// <see cref="GptModel"/>: a test passes a module that returns constant logits and must get perplexity = vocabulary.
/// The model is put in eval mode (no dropout) for the measurement and restored afterwards.
/// </remarks>
public static class Perplexity
{
    /// <summary>Measures <paramref name="model"/> on <paramref name="text"/> with windows of its context length (unless the options say otherwise).</summary>
    /// <exception cref="ArgumentException">The text has fewer than two tokens (one with a begin token), or an option is out of range.</exception>
    public static PerplexityResult Measure(GptModel model, ITokenizer tokenizer, string text, PerplexityOptions? options = null) =>
        Measure(model, model.Config.ContextLength, tokenizer, text, options);

    /// <summary>Measures any ids → logits module that reads at most <paramref name="contextLength"/> tokens at once.</summary>
    /// <exception cref="ArgumentException">The text has fewer than two tokens (one with a begin token), or an option is out of range.</exception>
    public static PerplexityResult Measure(nn.Module<Tensor, Tensor> model, int contextLength, ITokenizer tokenizer, string text, PerplexityOptions? options = null)
    {
        options ??= new PerplexityOptions();
        ArgumentNullException.ThrowIfNull(text);
        var textIds = tokenizer.Encode(text, options.Specials);
        int[] ids = options.BeginToken is { } begin ? [begin, .. textIds] : textIds;
        if (ids.Length < 2)
            throw new ArgumentException(
                $"The text '{Shorten(text)}' gives {ids.Length} token(s); scoring needs at least two (the first is only context). " +
                "Measure a longer text, or set PerplexityOptions.BeginToken (e.g. the <|endoftext|> id) so a one-token text is scored too.", nameof(text));

        long bytes = TextBytes.FromText(text).Length, characters = text.Length;
        if (options.BeginToken is null)
        {
            // The first token is context only: leave its bytes and characters out of the denominators.
            bytes -= TokenByteCount(tokenizer, ids[0]);
            characters -= Math.Min(tokenizer.Decode([ids[0]]).Length, text.Length);
        }

        var window = options.Window ?? contextLength;
        var stride = options.Stride ?? Math.Max(1, window / 2);
        var losses = TokenLosses(model, ids, window, stride, options.BatchSize, out var passes);
        double total = 0;
        foreach (var loss in losses)
            total += loss;
        return new PerplexityResult(total, losses.Length, Math.Max(bytes, 1), Math.Max(characters, 1), window, stride, passes,
            options.KeepTokenLosses ? losses : []);
    }

    /// <summary>
    /// The loss in nats of every token after the first, in order (entry i belongs to token i + 1), each scored once by
    /// the sliding window described in <see cref="PerplexityOptions"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two ids, or a window, stride or batch size out of range.</exception>
    public static float[] TokenLosses(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> ids, int window, int stride, int batchSize = 8) =>
        TokenLosses(model, ids, window, stride, batchSize, out _);

    private static float[] TokenLosses(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> ids, int window, int stride, int batchSize, out int passes)
    {
        if (ids.Count < 2)
            throw new ArgumentException($"Got {ids.Count} token(s); scoring needs at least two (the first is only context).", nameof(ids));
        if (window < 1)
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must hold at least 1 token; use the model's context length.");
        if (stride < 1 || stride > window)
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"The stride must be between 1 and the window ({window}): a larger stride would skip tokens. Use window / 2, or the window itself for back-to-back windows.");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");

        var windows = PlanWindows(ids.Count, window, stride);
        passes = windows.Count;
        var losses = new float[ids.Count - 1];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            // Windows of one length go through the model together (only the last window can be shorter).
            foreach (var group in windows.GroupBy(w => w.Length))
                foreach (var batch in group.Chunk(batchSize))
                    ScoreBatch(model, ids, batch, losses);
        }
        finally
        {
            model.train(wasTraining);
        }
        return losses;
    }

    /// <summary>One window: it reads ids[Start .. Start+Length−1] and scores the targets FirstTarget .. Start+Length.</summary>
    internal readonly record struct ScoringWindow(int Start, int Length, int FirstTarget);

    /// <summary>
    /// The windows that score targets 1..count−1 exactly once: a window starting at s reads up to <paramref name="window"/>
    /// ids and scores the targets after the last one already scored.
    /// </summary>
    internal static List<ScoringWindow> PlanWindows(int count, int window, int stride)
    {
        var plan = new List<ScoringWindow>();
        var scoredUpTo = 0; // targets 1..scoredUpTo are done (target 0 has no left context and is never scored)
        for (var start = 0; scoredUpTo < count - 1; start += stride)
        {
            var lastTarget = Math.Min(start + window, count - 1);
            plan.Add(new ScoringWindow(start, lastTarget - start, scoredUpTo + 1));
            scoredUpTo = lastTarget;
        }
        return plan;
    }

    private static void ScoreBatch(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> ids, ScoringWindow[] batch, float[] losses)
    {
        using var scope = torch.NewDisposeScope();
        var length = batch[0].Length;
        var inputs = new long[batch.Length * length];
        var targets = new long[batch.Length * length];
        for (var b = 0; b < batch.Length; b++)
            for (var p = 0; p < length; p++)
            {
                inputs[b * length + p] = ids[batch[b].Start + p];
                targets[b * length + p] = ids[batch[b].Start + p + 1];
            }
        var logits = model.call(torch.tensor(inputs, [batch.Length, length]));
        if (logits.dim() != 3 || logits.shape[0] != batch.Length || logits.shape[1] != length)
            throw new InvalidOperationException(
                $"The model returned logits [{string.Join(", ", logits.shape)}] for ids [{batch.Length}, {length}]; expected [{batch.Length}, {length}, vocab].");
        var tokenLoss = F.cross_entropy(logits.to(ScalarType.Float32).reshape(-1, logits.shape[2]), torch.tensor(targets), reduction: nn.Reduction.None);
        var values = tokenLoss.cpu().data<float>().ToArray();
        for (var b = 0; b < batch.Length; b++)
            for (var target = batch[b].FirstTarget; target <= batch[b].Start + length; target++)
                losses[target - 1] = values[b * length + target - batch[b].Start - 1];
    }

    /// <summary>
    /// The mean loss at each position of windows of <paramref name="length"/> tokens taken back to back from
    /// <paramref name="ids"/>: entry p is the loss of predicting a window's token p + 1 after reading p + 1 tokens.
    /// Run it with a length beyond the trained context to see where a model breaks (RoPE and sinusoidal models can
    /// read past it; learned positions cannot and raise a clear error).
    /// </summary>
    /// <param name="model">Any ids → logits module.</param>
    /// <param name="ids">The text's token ids; at least <paramref name="length"/> + 1.</param>
    /// <param name="length">Tokens per window.</param>
    /// <param name="maxWindows">Use at most this many windows, spread evenly over the text; null = every window.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <exception cref="ArgumentException">The text is shorter than one window, or a size is out of range.</exception>
    public static PositionLosses ByPosition(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> ids, int length, int? maxWindows = null, int batchSize = 8)
    {
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, "A window needs at least 1 token.");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        var available = (ids.Count - 1) / length;
        if (available < 1)
            throw new ArgumentException($"The text has {ids.Count} tokens, fewer than one window of {length} + 1: use a longer text or a shorter window.", nameof(ids));
        if (maxWindows is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxWindows), maxWindows, "Use at least 1 window (or null for all of them).");
        var count = Math.Min(available, maxWindows ?? available);
        // Evenly spread window indices; with count == available, every window back to back.
        var windows = Enumerable.Range(0, count)
            .Select(i => new ScoringWindow((int)(count == 1 ? 0 : (long)i * (available - 1) / (count - 1)) * length, length, 0))
            .Select(w => w with { FirstTarget = w.Start + 1 })
            .ToArray();

        var sums = new double[length];
        var losses = new float[ids.Count - 1];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var batch in windows.Chunk(batchSize))
            {
                ScoreBatch(model, ids, batch, losses);
                foreach (var w in batch)
                    for (var p = 0; p < length; p++)
                        sums[p] += losses[w.Start + p];
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new PositionLosses(sums.Select(s => s / count).ToArray(), count);
    }

    /// <summary>The per-position loss of <paramref name="text"/>, encoded with <paramref name="tokenizer"/>.</summary>
    /// <inheritdoc cref="ByPosition(nn.Module{Tensor, Tensor}, IReadOnlyList{int}, int, int?, int)"/>
    public static PositionLosses ByPosition(nn.Module<Tensor, Tensor> model, ITokenizer tokenizer, string text, int length, int? maxWindows = null, int batchSize = 8) =>
        ByPosition(model, tokenizer.Encode(text, SpecialTokenPolicy.AsText), length, maxWindows, batchSize);

    /// <summary>The UTF-8 bytes one token stands for (exact for byte-level tokenizers, whose tokens can split a character).</summary>
    private static int TokenByteCount(ITokenizer tokenizer, int id) => tokenizer switch
    {
        BytePairTokenizer bpe => bpe.TokenBytes(id).Length,
        ByteTokenizer bytes => bytes.DecodeBytes([id]).Length,
        _ => TextBytes.FromText(tokenizer.Decode([id])).Length,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
