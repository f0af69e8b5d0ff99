using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Alignment;

/// <summary>
/// The Bradley–Terry model of a preference: P(chosen ≻ rejected) = σ(r_chosen − r_rejected). Maximising its
/// likelihood gives the reward model's loss, −log σ(margin): it only cares that the chosen answer scores higher,
/// and by how much in log-odds.
/// </summary>
public static class BradleyTerry
{
    /// <summary>Mean of −log σ(r_chosen − r_rejected) over the pairs; ln 2 when the model cannot tell them apart.</summary>
    /// <exception cref="ArgumentException">The two reward tensors differ in shape.</exception>
    public static Tensor Loss(Tensor chosenRewards, Tensor rejectedRewards)
    {
        using var scope = NewDisposeScope();
        // −log σ(z) = softplus(−z), which stays finite for large |z|.
        return scope.MoveToOuter(F.softplus(-Margins(chosenRewards, rejectedRewards)).mean());
    }

    /// <summary>r_chosen − r_rejected per pair: positive where the model agrees with the label.</summary>
    /// <exception cref="ArgumentException">The two reward tensors differ in shape.</exception>
    public static Tensor Margins(Tensor chosenRewards, Tensor rejectedRewards)
    {
        if (!chosenRewards.shape.SequenceEqual(rejectedRewards.shape) || chosenRewards.dim() != 1)
            throw new ArgumentException($"Chosen and rejected rewards must both be [pairs]; got [{string.Join(", ", chosenRewards.shape)}] and [{string.Join(", ", rejectedRewards.shape)}]. " +
                                        "Score the chosen and the rejected answer of the same pairs, in the same order.");
        return chosenRewards - rejectedRewards;
    }

    /// <summary>Share of pairs with a positive margin (a tie counts as wrong).</summary>
    public static double Accuracy(Tensor chosenRewards, Tensor rejectedRewards)
    {
        using var scope = NewDisposeScope();
        return Margins(chosenRewards, rejectedRewards).gt(0).to(ScalarType.Float32).mean().ToDouble();
    }
}
