using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// How far the policy has drifted from the frozen reference, KL(π ‖ π_ref), summed over a response's tokens. Two
/// estimators from the log-probabilities of the sampled tokens, and the exact value from whole distributions.
/// </summary>
/// <remarks>
/// On one sample, k1 = log π − log π_ref is unbiased but can be negative; k3 = (ρ − 1) − log ρ with ρ = π_ref/π is
/// also unbiased and never negative (x − 1 ≥ log x), with lower variance. The exact form, Σ_v π(v)(log π(v) −
/// log π_ref(v)) at every position, needs both full distributions, which we have anyway: it is what we report.
/// </remarks>
public static class KlDivergence
{
    /// <summary>k1 per row: Σ over answer tokens of (log π − log π_ref). Pass masked per-token log-probs [batch, time].</summary>
    public static Tensor SampledK1(Tensor policyTokenLogProbs, Tensor referenceTokenLogProbs, Tensor mask)
    {
        CheckShapes(policyTokenLogProbs, referenceTokenLogProbs, mask);
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(((policyTokenLogProbs - referenceTokenLogProbs) * mask).sum(-1));
    }

    /// <summary>k3 per row: Σ over answer tokens of (ρ − 1 − log ρ), ρ = π_ref/π. Never negative.</summary>
    public static Tensor SampledK3(Tensor policyTokenLogProbs, Tensor referenceTokenLogProbs, Tensor mask)
    {
        CheckShapes(policyTokenLogProbs, referenceTokenLogProbs, mask);
        using var scope = NewDisposeScope();
        var logRatio = referenceTokenLogProbs - policyTokenLogProbs;
        return scope.MoveToOuter(((logRatio.exp() - 1 - logRatio) * mask).sum(-1));
    }

    /// <summary>
    /// Exact KL per row: at every masked position Σ_v π(v)·(log π(v) − log π_ref(v)), summed over positions.
    /// Takes log-softmax distributions [batch, time, vocab] and a mask [batch, time].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    public static Tensor Exact(Tensor policyLogDistributions, Tensor referenceLogDistributions, Tensor mask)
    {
        if (!policyLogDistributions.shape.SequenceEqual(referenceLogDistributions.shape) || policyLogDistributions.dim() != 3
            || !mask.shape.SequenceEqual(policyLogDistributions.shape[..2]))
            throw new ArgumentException($"Exact KL needs two [batch, time, vocab] log-distributions and a [batch, time] mask; got [{string.Join(", ", policyLogDistributions.shape)}], " +
                                        $"[{string.Join(", ", referenceLogDistributions.shape)}] and [{string.Join(", ", mask.shape)}]. Use AnswerLogProbs.Distributions on the same batch for both models.");
        using var scope = NewDisposeScope();
        var perPosition = (policyLogDistributions.exp() * (policyLogDistributions - referenceLogDistributions)).sum(-1);
        // Rounding can leave −1e-7 where the distributions agree; KL is never negative.
        return scope.MoveToOuter((perPosition.clamp_min(0) * mask).sum(-1));
    }

    private static void CheckShapes(Tensor a, Tensor b, Tensor mask)
    {
        if (!a.shape.SequenceEqual(b.shape) || !a.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"The policy's and the reference's token log-probs and the mask must have one shape [batch, time]; got [{string.Join(", ", a.shape)}], " +
                                        $"[{string.Join(", ", b.shape)}] and [{string.Join(", ", mask.shape)}]. Compute both on the same AnswerBatch.");
    }
}
