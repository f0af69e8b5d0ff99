using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>One pruned weight matrix and which of its entries are pruned.</summary>
/// <param name="Name">The layer's path, e.g. "blocks.0.mlp.up_proj".</param>
/// <param name="Weight">The live parameter (the model's own tensor, not a copy).</param>
/// <param name="Pruned">Boolean tensor of the weight's shape: true where the entry is held at zero.</param>
public sealed record MaskedWeight(string Name, Parameter Weight, Tensor Pruned)
{
    /// <summary>How many entries are pruned.</summary>
    public long PrunedCount => Pruned.sum().item<long>();

    /// <summary>Entries in the weight.</summary>
    public long Count => Weight.numel();

    /// <summary>The pruned share of this weight, 0..1.</summary>
    public double Sparsity => (double)PrunedCount / Count;
}
