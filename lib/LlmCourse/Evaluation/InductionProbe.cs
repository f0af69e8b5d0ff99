using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Evaluation;

/// <summary>How well a model copies: its loss and top-1 accuracy on the first and on the second copy of random tokens.</summary>
/// <param name="FirstLoss">Mean next-token loss (nats) inside the first copy: random tokens, so about ln(vocabulary) at best.</param>
/// <param name="SecondLoss">Mean next-token loss inside the second copy, where every token can be read off the first.</param>
/// <param name="SecondAccuracy">Share of second-copy tokens that are the model's top choice.</param>
public sealed record InductionScore(double FirstLoss, double SecondLoss, double SecondAccuracy)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"random tokens: first copy {FirstLoss:F2} nats/token, second copy {SecondLoss:F2} nats/token, top-1 on the second copy {SecondAccuracy:P1}";
}

/// <summary>
/// The induction test (Olsson et al., 2022): a sequence of random tokens, then the same sequence again. Nothing in the
/// first copy is predictable; everything in the second is, for a model that looks back for where the current token
/// appeared and predicts what followed it there. A model without that circuit scores about the same on both copies.
/// </summary>
public static class InductionProbe
{
    /// <summary>
    /// Scores <paramref name="model"/> on <paramref name="sequences"/> random sequences of <paramref name="length"/>
    /// tokens each, repeated once (2·length ≤ the context), drawn from ids <paramref name="firstId"/> .. vocabulary − 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one sequence, a length below 2 or twice the length past the context, or no ids to draw from.</exception>
    public static InductionScore Run(GptModel model, int sequences = 64, int length = 48, int firstId = 256, long seed = Course.DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(2 * length, model.Config.ContextLength, nameof(length));
        ArgumentOutOfRangeException.ThrowIfNegative(firstId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(firstId, model.Config.VocabSize, nameof(firstId));
        var random = new SeededRandom(seed);
        var ids = new long[sequences * 2 * length];
        for (var s = 0; s < sequences; s++)
            for (var i = 0; i < length; i++)
                ids[s * 2 * length + i] = ids[s * 2 * length + length + i] = firstId + random.NextLong(model.Config.VocabSize - firstId);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = tensor(ids).reshape(sequences, 2 * length);
        var input = rows.narrow(1, 0, 2 * length - 1);
        var target = rows.narrow(1, 1, 2 * length - 1);
        var logits = model.forward(input);
        var losses = F.cross_entropy(logits.reshape(-1, model.Config.VocabSize), target.reshape(-1), reduction: nn.Reduction.None).reshape(sequences, -1);
        // Position p predicts token p + 1: p < length − 1 stays inside the first copy, p ≥ length predicts a repeated token.
        var first = losses.narrow(1, 0, length - 1).mean().item<float>();
        var second = losses.narrow(1, length, length - 1).mean().item<float>();
        var hits = logits.argmax(-1).eq(target).narrow(1, length, length - 1).to(ScalarType.Float32).mean().item<float>();
        return new InductionScore(first, second, hits);
    }
}
