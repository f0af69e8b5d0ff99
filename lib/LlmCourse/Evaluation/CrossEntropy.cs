using LlmCourse.Model;

namespace LlmCourse.Evaluation;

/// <summary>
/// How surprised a model is by a text: the average of −log p(actual next token) over the text. In bits (log base 2)
/// it reads as "how many yes/no questions per token the model still needs"; in nats (natural log) it is the loss
/// the training sections minimise. A uniform guess over V tokens scores exactly log2(V) bits.
/// </summary>
/// <remarks>
/// This is the one-token-at-a-time version for the simple models of section 0 (<see cref="INextTokenModel"/>). For a
/// GPT on texts of any length (batched windows, a sliding context, bits per byte) use <see cref="Perplexity"/>.
/// </remarks>
public static class CrossEntropy
{
    /// <summary>Average bits per token over <paramref name="tokenIds"/>, scoring every token after the first.</summary>
    /// <exception cref="ArgumentException">Fewer than two tokens, or the model gave an actual token probability 0.</exception>
    public static double BitsPerToken(INextTokenModel model, ReadOnlySpan<int> tokenIds) =>
        NatsPerToken(model, tokenIds) / Math.Log(2);

    /// <summary>Average nats per token (the cross-entropy loss) over <paramref name="tokenIds"/>, scoring every token after the first.</summary>
    /// <exception cref="ArgumentException">Fewer than two tokens, or the model gave an actual token probability 0.</exception>
    public static double NatsPerToken(INextTokenModel model, ReadOnlySpan<int> tokenIds)
    {
        if (tokenIds.Length < 2)
            throw new ArgumentException($"Need at least two tokens to score a prediction; got {tokenIds.Length}.", nameof(tokenIds));
        double total = 0;
        for (var i = 1; i < tokenIds.Length; i++)
        {
            var p = model.Probability(tokenIds[..i], tokenIds[i]);
            if (!(p > 0))
                throw new ArgumentException(
                    $"The model gave token {tokenIds[i]} at position {i} probability {p}: its loss is infinite. " +
                    "Use smoothing (e.g. BigramModel smoothing 1) so no token gets zero probability.", nameof(tokenIds));
            total -= Math.Log(p);
        }
        return total / (tokenIds.Length - 1);
    }
}
