using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// A frozen Linear plus a trainable low-rank detour: <c>y = x·Wᵀ + b + (Alpha/r) · dropout(x)·Aᵀ·Bᵀ</c>.
/// A (r × in) starts random, B (out × r) starts at zero, so a freshly wrapped model computes exactly what the base
/// model did, and training moves only A and B.
/// </summary>
/// <remarks>
/// <para>The base weight and bias keep their names (<c>weight</c>, <c>bias</c>), so the wrapped model's
/// <c>state_dict</c> is the base one plus <c>lora_A</c>/<c>lora_B</c> per adapted layer.</para>
/// <para>Initialisation: the LoRA paper draws A from a Gaussian; the authors' reference code (loralib) uses the same
/// Kaiming-uniform draw as nn.Linear, <c>U(−1/√in, 1/√in)</c>, which we follow. Either works because B = 0 makes
/// the first update depend on A only through its scale.</para>
/// <para><see cref="Merge"/> adds <c>(Alpha/r)·B·A</c> into W so inference costs nothing extra; <see cref="Unmerge"/>
/// subtracts it again. In float32 the round trip restores W up to one rounding of the merged value (~1e-7 relative).</para>
/// </remarks>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state_dict keys, in PyTorch/PEFT style
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly Dropout? dropout;
#pragma warning restore IDE1006
    private readonly StrongBox<Linear> original; // not a Module field, so not registered: handed back by Unwrap

    /// <summary>r, the adapter's rank.</summary>
    public int Rank { get; }

    /// <summary><c>Alpha / Rank</c>, the factor on the adapter's output.</summary>
    public double Scaling { get; }

    /// <summary>True while the update is folded into <c>weight</c> (the adapter path is then skipped).</summary>
    public bool Merged { get; private set; }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>Wraps <paramref name="linear"/>: its weight and bias are shared (not copied) and frozen.</summary>
    /// <exception cref="ArgumentException">Rank below 1 or above min(in, out), or dropout outside [0, 1).</exception>
    public LoraLinear(Linear linear, int rank, double alpha, double dropout = 0.0, Generator? generator = null) : base(nameof(LoraLinear))
    {
        (InFeatures, OutFeatures) = (linear.in_features, linear.out_features);
        var maxRank = Math.Min(InFeatures, OutFeatures);
        if (rank < 1 || rank > maxRank)
            throw new ArgumentException($"LoRA rank {rank} does not fit a {InFeatures} → {OutFeatures} layer: use a rank from 1 to {maxRank} " +
                                        "(min(in, out); a larger B·A has no more expressive power than a full update, only more parameters).", nameof(rank));
        if (dropout is < 0 or >= 1)
            throw new ArgumentException($"LoRA dropout {dropout} must be in [0, 1); 0 turns it off, 0.05–0.1 is typical.", nameof(dropout));
        (Rank, Scaling) = (rank, alpha / rank);
        original = new StrongBox<Linear>(linear);
        weight = linear.weight!;
        bias = linear.bias;
        weight.requires_grad = false;
        if (bias is not null) bias.requires_grad = false;

        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(InFeatures);
            var a = (rand(rank, InFeatures, generator: generator) * 2 - 1) * bound;
            lora_A = new Parameter(a.to(weight.dtype), requires_grad: true);
            lora_B = new Parameter(zeros(OutFeatures, rank, dtype: weight.dtype), requires_grad: true);
            lora_A.DetachFromDisposeScope(); // parameters live as long as the layer, not as long as a caller's scope
            lora_B.DetachFromDisposeScope();
        }
        this.dropout = dropout > 0 ? nn.Dropout(dropout) : null;
        RegisterComponents();
    }

    /// <summary>The trainable down-projection A (r × in).</summary>
    public Parameter A => lora_A;

    /// <summary>The trainable up-projection B (out × r), zero at the start.</summary>
    public Parameter B => lora_B;

    /// <summary>The frozen base weight (out × in); includes the update while <see cref="Merged"/>.</summary>
    public Parameter Weight => weight;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.linear(input, weight, bias);
        if (!Merged)
        {
            var x = dropout is null ? input : dropout.forward(input);
            y = y + nn.functional.linear(nn.functional.linear(x, lora_A), lora_B) * Scaling;
        }
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>The update <c>ΔW = (Alpha/r)·B·A</c> (out × in) this adapter adds to the base weight.</summary>
    public Tensor DeltaWeight()
    {
        using var _ = no_grad();
        return lora_B.mm(lora_A) * Scaling;
    }

    /// <summary>Folds the update into the base weight: afterwards forward is a plain Linear. Idempotent.</summary>
    public void Merge()
    {
        if (Merged) return;
        using var _ = no_grad();
        using var delta = DeltaWeight();
        weight.add_(delta);
        Merged = true;
    }

    /// <summary>Takes the update back out of the base weight (while A and B are unchanged since <see cref="Merge"/>). Idempotent.</summary>
    public void Unmerge()
    {
        if (!Merged) return;
        using var _ = no_grad();
        using var delta = DeltaWeight();
        weight.sub_(delta);
        Merged = false;
    }

    /// <summary>The original Linear, now holding this layer's (possibly merged) weight; used to take the adapter off.</summary>
    internal Linear ToLinear()
    {
        var linear = original.Value!;
        if (!ReferenceEquals(linear.weight, weight)) linear.weight = weight; // e.g. after .to() replaced the parameter
        return linear;
    }
}
