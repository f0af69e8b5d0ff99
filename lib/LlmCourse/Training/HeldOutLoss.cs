using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>
/// The model's loss on held-out text, measured on non-overlapping windows of the context length (the first tokens of
/// each window see little context, so this is slightly pessimistic compared with a sliding evaluation).
/// </summary>
public static class HeldOutLoss
{
    /// <summary>
    /// Mean next-token loss (nats per token) of held-out ids given as an int64 tensor, over <paramref name="maxWindows"/> windows spread evenly over
    /// <paramref name="tokens"/> (all non-overlapping windows when null), evaluated <paramref name="batchSize"/> at a time.
    /// </summary>
    public static double MeanOfTensor(GptModel model, Tensor tokens, int? maxWindows = null, int batchSize = 16)
    {
        var context = model.Config.ContextLength;
        var available = (int)((tokens.shape[0] - 1) / context);
        if (available < 1)
            throw new ArgumentException($"The held-out text has {tokens.shape[0]} tokens, fewer than one window of {context} + 1.");
        var count = Math.Min(available, maxWindows ?? available);
        // Evenly spaced window indices; with count == available these are all windows, back to back.
        var starts = Enumerable.Range(0, count).Select(i => (long)(count == 1 ? 0 : (long)i * (available - 1) / (count - 1)) * context).ToArray();
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            double total = 0;
            for (var first = 0; first < count; first += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = starts.Skip(first).Take(batchSize).ToArray();
                var index = tensor(rows).unsqueeze(1) + arange(context + 1, dtype: ScalarType.Int64).unsqueeze(0);
                var windows = tokens[index];
                var loss = model.Loss(windows.narrow(1, 0, context), windows.narrow(1, 1, context));
                total += loss.item<float>() * rows.Length;
            }
            return total / count;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Mean loss over held-out ids; see <see cref="MeanOfTensor"/>.</summary>
    public static double Mean(GptModel model, IReadOnlyList<int> tokens, int? maxWindows = null, int batchSize = 16)
    {
        using var ids = tensor(tokens.Select(t => (long)t).ToArray());
        return MeanOfTensor(model, ids, maxWindows, batchSize);
    }

    /// <summary>
    /// Converts a loss in nats per token to bits per character, the tokenizer-independent measure:
    /// loss / ln 2 × tokens / characters. Compare models with different tokenizers on this, never on the raw loss.
    /// </summary>
    public static double BitsPerCharacter(double natsPerToken, long tokens, long characters) =>
        natsPerToken / Math.Log(2) * tokens / characters;
}
