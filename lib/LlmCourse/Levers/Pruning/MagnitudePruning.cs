using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// Unstructured magnitude pruning: set the smallest weights (by |w|) to zero and keep them there. The matrices keep
/// their shape, so without sparse kernels nothing gets faster or smaller in memory: the zeros are still stored and
/// still multiplied. What it shows is how many weights the model does not need.
/// </summary>
public static class MagnitudePruning
{
    /// <summary>Every projection inside the transformer blocks (attention and MLP). The embedding (also the tied head) is left alone.</summary>
    public const string BlockLinears = @"^blocks\..*_proj$";

    /// <summary>
    /// Zeros exactly round(<paramref name="sparsity"/> × n) of the targeted weights, the smallest in magnitude, and
    /// returns the mask that keeps them at zero through further training. Biases and norms are never pruned.
    /// </summary>
    /// <param name="model">The model to prune in place (any module with Linear layers, e.g. a <c>GptModel</c>).</param>
    /// <param name="sparsity">The share of weights to prune, in [0, 1).</param>
    /// <param name="scope">Rank per layer (each layer loses this share) or globally (the total loses this share).</param>
    /// <param name="pattern">Regex picking the Linear layers by path; default: every Linear of the blocks.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sparsity is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The pattern matches no Linear layer, or matches something else.</exception>
    /// <remarks>Already-zero weights rank first, so pruning a pruned model further keeps the earlier zeros when the new
    /// sparsity is at least the old one.</remarks>
    public static PruningMask Prune(nn.Module model, double sparsity, PruningScope scope = PruningScope.PerLayer, string? pattern = BlockLinears)
    {
        CheckSparsity(sparsity);
        var targets = LinearTargets.Find(model, pattern, "Magnitude pruning");
        using var _ = no_grad();
        var masks = scope == PruningScope.PerLayer
            ? targets.Select(t => PrunedSmallest(t.Layer.weight!, sparsity)).ToList()
            : PrunedSmallestGlobally(targets.Select(t => t.Layer.weight!).ToList(), sparsity);
        var mask = new PruningMask(targets.Select((t, i) => new MaskedWeight(t.Name, t.Layer.weight!, masks[i])).ToList(), scope, sparsity);
        mask.Apply();
        return mask;
    }

    /// <summary>Throws unless 0 ≤ <paramref name="sparsity"/> &lt; 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sparsity is outside [0, 1).</exception>
    internal static void CheckSparsity(double sparsity, string what = "sparsity")
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity,
                $"The {what} is a share of weights in [0, 1), got {sparsity}. Use e.g. 0.5 to prune half; 1 would remove everything (use 0.99 at most).");
    }

    /// <summary>How many of <paramref name="count"/> weights a sparsity prunes: the nearest whole number.</summary>
    public static long PrunedCountFor(long count, double sparsity) => (long)Math.Round(sparsity * count, MidpointRounding.AwayFromZero);

    private static Tensor PrunedSmallest(Tensor weight, double sparsity)
    {
        using var scope = NewDisposeScope();
        var pruned = PrunedSmallestFlat(weight.detach().abs().flatten(), sparsity).reshape(weight.shape);
        return scope.MoveToOuter(pruned);
    }

    private static List<Tensor> PrunedSmallestGlobally(IReadOnlyList<Parameter> weights, double sparsity)
    {
        using var scope = NewDisposeScope();
        var all = PrunedSmallestFlat(cat(weights.Select(w => w.detach().abs().flatten()).ToList()), sparsity);
        var masks = new List<Tensor>();
        long start = 0;
        foreach (var w in weights)
        {
            masks.Add(scope.MoveToOuter(all.narrow(0, start, w.numel()).reshape(w.shape).clone()));
            start += w.numel();
        }
        return masks;
    }

    /// <summary>
    /// A boolean mask marking exactly round(sparsity × n) entries, those with the smallest magnitude. Sorting
    /// (rather than comparing with a threshold) makes the count exact even when many magnitudes tie, e.g. zeros.
    /// </summary>
    private static Tensor PrunedSmallestFlat(Tensor magnitudes, double sparsity)
    {
        var count = PrunedCountFor(magnitudes.numel(), sparsity);
        var pruned = zeros(magnitudes.numel(), dtype: ScalarType.Bool);
        if (count > 0)
        {
            var smallest = magnitudes.sort(stable: true).Indices.narrow(0, 0, count);
            pruned.index_fill_(0, smallest, true);
        }
        return pruned;
    }
}
