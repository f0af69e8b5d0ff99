using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

/// <summary>A two-layer attention-like toy: named Linear projections held in Module-typed fields, plus an MLP Sequential.</summary>
internal sealed class ToyBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> q, k, v, o;
    private readonly LayerNorm norm;
    private readonly Sequential mlp;

    public ToyBlock(int width) : base(nameof(ToyBlock))
    {
        q = nn.Linear(width, width);
        k = nn.Linear(width, width);
        v = nn.Linear(width, width, hasBias: false);
        o = nn.Linear(width, width);
        norm = nn.LayerNorm(width);
        mlp = nn.Sequential(("fc", nn.Linear(width, 2 * width)), ("act", nn.GELU()), ("proj", nn.Linear(2 * width, width)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = norm.forward(x);
        var scores = q.forward(h).bmm(k.forward(h).transpose(1, 2)) / Math.Sqrt(h.shape[^1]);
        var attended = o.forward(scores.softmax(-1).bmm(v.forward(h)));
        var y = x + attended;
        return (y + mlp.forward(y)).MoveToOuterDisposeScope();
    }
}

/// <summary>Two ToyBlocks in a ModuleList and an output head: names like "blocks.1.mlp.fc".</summary>
internal sealed class ToyModel : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ToyBlock> blocks;
    private readonly nn.Module<Tensor, Tensor> head;

    public ToyModel(int width = 16, int outputs = 8) : base(nameof(ToyModel))
    {
        blocks = nn.ModuleList(new ToyBlock(width), new ToyBlock(width));
        head = nn.Linear(width, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var block in blocks) x = block.forward(x);
        return head.forward(x);
    }

    /// <summary>
    /// A fresh model whose Linear weights come from a private generator: xunit runs test classes in parallel, so
    /// torch's global RNG may be drawn from by another test between a manual_seed and the layer constructors.
    /// </summary>
    public static ToyModel Create(int seed = 1, int width = 16)
    {
        var model = new ToyModel(width);
        var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var linear in model.modules().OfType<Linear>())
        {
            var bound = 1 / Math.Sqrt(linear.in_features);
            linear.weight!.copy_((rand(linear.weight.shape, generator: generator) * 2 - 1) * bound);
            linear.bias?.copy_((rand(linear.bias.shape, generator: generator) * 2 - 1) * bound);
        }
        return model;
    }
}

/// <summary>A module whose projection field is declared as the sealed Linear type: levers cannot swap it.</summary>
internal sealed class LinearTypedField : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public LinearTypedField() : base(nameof(LinearTypedField))
    {
        proj = nn.Linear(4, 4);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => proj.forward(x);
}
