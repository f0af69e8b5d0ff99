using LlmCourse.IO;
using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Training;

public class GptCheckpointTests
{
    [Fact]
    public void ExactRoundTripOfWeightsConfigAndLogits()
    {
        using var dir = new TempFolder();
        using var model = new GptModel(TrainerTests.TinyConfig(), seed: 5);
        GptCheckpoint.Save(dir.File("ckpt"), model);

        var loaded = GptCheckpoint.Load(dir.File("ckpt"));
        using var copy = loaded.Model;
        Assert.Equal(model.Config, copy.Config);
        foreach (var ((name, a), (_, b)) in model.state_dict().Zip(copy.state_dict()))
            Assert.True(a.bytes.SequenceEqual(b.bytes), $"{name} changed");
        model.eval();
        using var ids = tensor(new long[] { 1, 2, 3, 4, 5 }).unsqueeze(0);
        using var expected = model.call(ids);
        using var actual = copy.call(ids);
        Assert.True(expected.bytes.SequenceEqual(actual.bytes));
        Assert.Null(loaded.State);
    }

    [Fact]
    public void Bf16StorageHalvesTheFileAndStaysClose()
    {
        using var dir = new TempFolder();
        using var model = new GptModel(TrainerTests.TinyConfig(), seed: 5);
        GptCheckpoint.Save(dir.File("f32"), model);
        GptCheckpoint.Save(dir.File("bf16"), model, storeWeightsAs: ScalarType.BFloat16);

        var f32 = new FileInfo(Path.Combine(dir.File("f32"), GptCheckpoint.WeightsFile)).Length;
        var bf16 = new FileInfo(Path.Combine(dir.File("bf16"), GptCheckpoint.WeightsFile)).Length;
        Assert.InRange(bf16, f32 / 2 - 2000, f32 / 2 + 2000);
        using var loaded = GptCheckpoint.Load(dir.File("bf16")).Model;
        foreach (var ((name, a), (_, b)) in model.state_dict().Zip(loaded.state_dict()))
            Assert.True(a.allclose(b, rtol: 1e-2, atol: 1e-3), name);
    }

    [Fact]
    public void AnotherConfigIsRejectedNamingTheTensorAndTheModelIsUntouched()
    {
        using var dir = new TempFolder();
        using (var small = new GptModel(TrainerTests.TinyConfig()))
            GptCheckpoint.Save(dir.File("ckpt"), small);
        using var wider = new GptModel(TrainerTests.TinyConfig() with { Width = 48, Heads = 4 }, seed: 9);
        var before = wider.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        var e = Assert.Throws<InvalidDataException>(() => GptCheckpoint.LoadWeights(CheckpointFolder.Open(dir.File("ckpt")), wider));
        Assert.Contains("'token_embedding.weight'", e.Message);
        Assert.Contains("[24, 32]", e.Message);
        Assert.Contains("width 32", e.Message);
        foreach (var (name, tensor) in wider.state_dict())
            Assert.True(tensor.bytes.SequenceEqual(before[name].bytes));
    }

    [Fact]
    public void ASaveKilledMidwayLeavesTheOldCheckpointLoadable()
    {
        using var dir = new TempFolder();
        using var old = new GptModel(TrainerTests.TinyConfig(), seed: 1);
        using var newer = new GptModel(TrainerTests.TinyConfig(), seed: 2);
        GptCheckpoint.Save(dir.File("ckpt"), old);

        FaultInjection.Hook = point => { if (point.StartsWith("safetensors:blocks.1", StringComparison.Ordinal)) throw new IOException("killed"); };
        try
        {
            Assert.Throws<IOException>(() => GptCheckpoint.Save(dir.File("ckpt"), newer));
        }
        finally
        {
            FaultInjection.Hook = null;
        }

        using var loaded = GptCheckpoint.Load(dir.File("ckpt")).Model;
        foreach (var ((name, a), (_, b)) in old.state_dict().Zip(loaded.state_dict()))
            Assert.True(a.bytes.SequenceEqual(b.bytes), $"{name} is not the old checkpoint's");
    }

    [Fact]
    public void AWeightsOnlyCheckpointCannotBeResumed()
    {
        using var dir = new TempFolder();
        using (var model = new GptModel(TrainerTests.TinyConfig()))
            GptCheckpoint.Save(dir.File("ckpt"), model);
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Resume(dir.File("ckpt"), TrainerTests.Stream(2000), TrainerTests.Stream(600, 2)));
        Assert.Contains("weights only", e.Message);
    }
}
