using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Model;

/// <summary>
/// The MLP of a block: each token's vector is widened, passed through a non-linearity, and narrowed back. This is
/// where most parameters live (two thirds of a GPT block).
/// GELU: <c>down(gelu(up(x)))</c>. SwiGLU: <c>down(silu(gate(x)) · up(x))</c>, a learned gate per hidden unit.
/// </summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>, ISwappableChildren
{
    // Field names are the state_dict names (ComponentName), so checkpoints read "mlp.up_proj.weight".
    [ComponentName(Name = "up_proj")] private nn.Module<Tensor, Tensor> up;
    [ComponentName(Name = "gate_proj")] private nn.Module<Tensor, Tensor>? gate;
    [ComponentName(Name = "down_proj")] private nn.Module<Tensor, Tensor> down;

    /// <summary>GELU or SwiGLU.</summary>
    public MlpKind Kind { get; }

    /// <summary>The GELU formula (GPT-2: tanh); unused by SwiGLU.</summary>
    public GeluApproximation Gelu { get; }

    /// <summary>Creates an MLP of <paramref name="width"/> → <paramref name="hidden"/> → <paramref name="width"/>.</summary>
    public FeedForward(int width, int hidden, MlpKind kind, bool bias, GeluApproximation gelu = GeluApproximation.None) : base(nameof(FeedForward))
    {
        Kind = kind;
        Gelu = gelu;
        up = Layers.Linear(width, hidden, bias);
        gate = kind == MlpKind.SwiGlu ? Layers.Linear(width, hidden, bias) : null;
        down = Layers.Linear(hidden, width, bias);
        RegisterComponents();
    }

    /// <summary>Applies the MLP to every position independently.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = gate is null
            ? F.gelu(up.call(x), Gelu == GeluApproximation.Tanh ? GELU.Approximate.tanh : GELU.Approximate.none)
            : F.silu(gate.call(x)) * up.call(x);
        return scope.MoveToOuter(down.call(hidden));
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> SwappableNames => gate is null ? ["up_proj", "down_proj"] : ["up_proj", "gate_proj", "down_proj"];

    /// <inheritdoc/>
    public void ReplaceChild(string name, nn.Module<Tensor, Tensor> replacement)
    {
        switch (name)
        {
            case "up_proj": up = replacement; break;
            case "gate_proj" when gate is not null: gate = replacement; break;
            case "down_proj": down = replacement; break;
            default: throw ChildSwap.Unknown(nameof(FeedForward), name, SwappableNames);
        }
        ChildSwap.Reregister(this, name, replacement);
    }
}
