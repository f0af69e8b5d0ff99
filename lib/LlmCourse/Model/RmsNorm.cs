using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Root-mean-square normalisation: x / √(mean(x²) + ε) · weight. LayerNorm without subtracting the mean (and without
/// a bias): one reduction instead of two, and in practice just as good (Zhang and Sennrich 2019; Llama).
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The learned per-feature scale, initialised to 1.</summary>
    public Parameter weight;

    /// <summary>The small number added to the mean square.</summary>
    public double Epsilon { get; }

    /// <summary>Creates an RMSNorm over the last dimension of size <paramref name="width"/>.</summary>
    public RmsNorm(int width, double epsilon = 1e-5) : base(nameof(RmsNorm))
    {
        Epsilon = epsilon;
        weight = new Parameter(torch.ones(width));
        RegisterComponents();
    }

    /// <summary>Normalises <paramref name="x"/> (any shape ending in width).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var meanSquare = x.pow(2).mean([-1L], keepdim: true);
        return scope.MoveToOuter(x * (meanSquare + Epsilon).rsqrt() * weight);
    }
}
