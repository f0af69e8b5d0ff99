using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Alignment;

/// <summary>The DPO loss of a batch and what it says about the policy.</summary>
/// <param name="Loss">Scalar loss (under autograd).</param>
/// <param name="ChosenRewards">Implicit rewards β(log π − log π_ref) of the chosen answers [pairs] (detached).</param>
/// <param name="RejectedRewards">The same for the rejected answers (detached).</param>
public sealed record DpoBatchResult(Tensor Loss, Tensor ChosenRewards, Tensor RejectedRewards) : IDisposable
{
    /// <summary>Mean implicit reward margin (chosen − rejected): grows as the policy separates the pairs.</summary>
    public double Margin
    {
        get
        {
            using var scope = NewDisposeScope();
            return (ChosenRewards - RejectedRewards).mean().ToDouble();
        }
    }

    /// <summary>Share of pairs whose implicit reward prefers the chosen answer.</summary>
    public double Accuracy
    {
        get
        {
            using var scope = NewDisposeScope();
            return ChosenRewards.gt(RejectedRewards).to(ScalarType.Float32).mean().ToDouble();
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Loss.Dispose();
        ChosenRewards.Dispose();
        RejectedRewards.Dispose();
    }
}

/// <summary>
/// Direct Preference Optimization (Rafailov et al., 2023): the RLHF objective "maximise reward minus β·KL to the
/// reference" has a closed-form optimum, π*(y|x) ∝ π_ref(y|x)·exp(r(x,y)/β). Solved for r, the reward is
/// β·log(π/π_ref) plus a term that cancels in a pair; put into the Bradley–Terry loss it gives a loss on the policy
/// alone: no reward model, no sampling.
/// <code>loss = −log σ(β · [(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))])</code>
/// β plays the KL coefficient's part: small β lets the policy move far from the reference.
/// </summary>
public static class DpoLoss
{
    /// <summary>The mean DPO loss over pairs from the four answer log-probabilities (each [pairs], answer tokens summed).</summary>
    /// <param name="policyChosen">log π(chosen | prompt) under the policy being trained.</param>
    /// <param name="policyRejected">log π(rejected | prompt) under the policy.</param>
    /// <param name="referenceChosen">log π_ref(chosen | prompt) under the frozen reference.</param>
    /// <param name="referenceRejected">log π_ref(rejected | prompt).</param>
    /// <param name="beta">Strength of the pull towards the reference; 0.1 is usual.</param>
    /// <exception cref="ArgumentException">β is not positive and finite, or the four tensors are not the same [pairs] shape.</exception>
    public static DpoBatchResult Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta)
    {
        if (!(beta > 0) || !double.IsFinite(beta))
            throw new ArgumentException($"β = {beta}: DPO needs β > 0 (0.1 is usual; larger keeps the policy closer to the reference).", nameof(beta));
        var shape = policyChosen.shape;
        if (policyChosen.dim() != 1 || new[] { policyRejected, referenceChosen, referenceRejected }.Any(t => !t.shape.SequenceEqual(shape)))
            throw new ArgumentException($"DPO needs four [pairs] log-probabilities of one shape; got [{string.Join(", ", shape)}], [{string.Join(", ", policyRejected.shape)}], " +
                                        $"[{string.Join(", ", referenceChosen.shape)}], [{string.Join(", ", referenceRejected.shape)}]. Sum each answer's token log-probs (AnswerLogProbs.Sum).");
        using var scope = NewDisposeScope();
        var chosenRewards = beta * (policyChosen - referenceChosen);
        var rejectedRewards = beta * (policyRejected - referenceRejected);
        var loss = F.softplus(-(chosenRewards - rejectedRewards)).mean(); // −log σ(z) = softplus(−z)
        return new DpoBatchResult(scope.MoveToOuter(loss), scope.MoveToOuter(chosenRewards.detach()), scope.MoveToOuter(rejectedRewards.detach()));
    }

    /// <summary>The same loss for one pair, from plain numbers (for checking by hand).</summary>
    /// <exception cref="ArgumentException">β is not positive and finite.</exception>
    public static double Compute(double policyChosen, double policyRejected, double referenceChosen, double referenceRejected, double beta)
    {
        using var scope = NewDisposeScope();
        using var result = Compute(tensor(new[] { policyChosen }), tensor(new[] { policyRejected }), tensor(new[] { referenceChosen }), tensor(new[] { referenceRejected }), beta);
        return result.Loss.ToDouble();
    }
}
