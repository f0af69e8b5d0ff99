using LlmCourse.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Training;

// Serial: the fake gradients come from torch's process-wide generator (manual_seed, then randn_like); a test drawing
// from it in parallel gave the two optimizers different gradients now and then ("emb.weight differs").
[Collection(SerialTorchCollection.Name)]
public class AdamWTests
{
    private static Sequential Net(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(("emb", nn.Embedding(10, 6)), ("norm", nn.LayerNorm(6)), ("proj", nn.Linear(6, 4, hasBias: true)));
    }

    private static void FakeGradients(nn.Module net, int step)
    {
        manual_seed(100 + step);
        foreach (var p in net.parameters())
            p.grad = randn_like(p);
    }

    [Fact]
    public void MatricesDecayVectorsDoNot()
    {
        using var net = Net(1);
        using var optimizer = new AdamWOptimizer(net.named_parameters(), new AdamWSettings());
        Assert.Equal(["emb.weight", "proj.weight"], optimizer.Decayed);
        Assert.Equal(["norm.weight", "norm.bias", "proj.bias"], optimizer.NotDecayed);
    }

    [Fact]
    public void MatchesTorchAdamWWithTheSameGroups()
    {
        using var ours = Net(1);
        using var theirs = Net(1);
        var settings = new AdamWSettings(Beta1: 0.9, Beta2: 0.95, Epsilon: 1e-8, WeightDecay: 0.1);
        using var optimizer = new AdamWOptimizer(ours.named_parameters(), settings);
        var decay = theirs.named_parameters().Where(p => p.parameter.dim() >= 2).Select(p => p.parameter).ToList();
        var noDecay = theirs.named_parameters().Where(p => p.parameter.dim() < 2).Select(p => p.parameter).ToList();
        using var reference = optim.AdamW(
            [new TorchSharp.Modules.AdamW.ParamGroup(decay, 1e-2, 0.9, 0.95, 1e-8, 0.1), new TorchSharp.Modules.AdamW.ParamGroup(noDecay, 1e-2, 0.9, 0.95, 1e-8, 0.0)],
            lr: 1e-2);

        for (var step = 0; step < 5; step++)
        {
            FakeGradients(ours, step);
            FakeGradients(theirs, step);
            optimizer.Step(1e-2);
            reference.step();
        }

        foreach (var ((name, a), (_, b)) in ours.named_parameters().Zip(theirs.named_parameters()))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), $"{name} differs from torch's AdamW");
    }

    [Fact]
    public void SavedStateContinuesBitIdentically()
    {
        using var dir = new TempFolder();
        using var a = Net(2);
        using var b = Net(2);
        using var optA = new AdamWOptimizer(a.named_parameters(), new AdamWSettings());
        for (var step = 0; step < 3; step++)
        {
            FakeGradients(a, step);
            optA.Step(1e-2);
        }
        optA.SaveState(dir.File("opt.safetensors"));
        using (no_grad())
            foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
                pb.copy_(pa);
        using var optB = new AdamWOptimizer(b.named_parameters(), new AdamWSettings());
        optB.LoadState(dir.File("opt.safetensors"));
        Assert.Equal(3, optB.StepCount);

        for (var step = 3; step < 6; step++)
        {
            FakeGradients(a, step);
            FakeGradients(b, step);
            optA.Step(1e-2);
            optB.Step(1e-2);
        }
        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.True(pa.bytes.SequenceEqual(pb.bytes));
    }

    [Fact]
    public void StateOfAnotherModelIsRejectedByName()
    {
        using var dir = new TempFolder();
        using var small = Net(3);
        using var optSmall = new AdamWOptimizer(small.named_parameters(), new AdamWSettings());
        FakeGradients(small, 0);
        optSmall.Step(1e-3);
        optSmall.SaveState(dir.File("opt.safetensors"));

        manual_seed(3);
        using var other = nn.Sequential(("emb", nn.Embedding(12, 6)), ("norm", nn.LayerNorm(6)), ("proj", nn.Linear(6, 4, hasBias: true)));
        using var optOther = new AdamWOptimizer(other.named_parameters(), new AdamWSettings());
        var e = Assert.Throws<LlmCourse.IO.SafetensorsFormatException>(() => optOther.LoadState(dir.File("opt.safetensors")));
        Assert.Equal("exp_avg.emb.weight", e.TensorName);
    }
}
