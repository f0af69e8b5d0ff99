using LlmCourse.IO;
using LlmCourse.Training;
using TorchSharp;

namespace LlmCourse.Tests.Training;

public class CheckpointFolderTests
{
    private static void WriteSample(string folder, float value) =>
        CheckpointFolder.Write(folder, w =>
        {
            w.WriteTensors("model.safetensors", new Dictionary<string, torch.Tensor> { ["w"] = torch.full(64, value), ["b"] = torch.full(8, value) });
            w.WriteText("config.json", $$"""{"value": {{value}}}""");
        });

    private static float ReadValue(string folder)
    {
        var checkpoint = CheckpointFolder.Open(folder);
        using var file = checkpoint.OpenTensors("model.safetensors");
        using var w = file.Read("w");
        return w[0].item<float>();
    }

    [Fact]
    public void RoundTripAndOverwrite()
    {
        using var dir = new TempFolder();
        var folder = dir.File("ckpt");
        WriteSample(folder, 1);
        WriteSample(folder, 2);

        var checkpoint = CheckpointFolder.Open(folder);
        Assert.Equal(["config.json", "model.safetensors"], checkpoint.Files.Order());
        Assert.Equal("""{"value": 2}""", checkpoint.ReadText("config.json"));
        Assert.Equal(2f, ReadValue(folder));
        Assert.False(checkpoint.RecoveredFromInterruptedWrite);
        Assert.Equal(["ckpt"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("safetensors:w")]        // in the middle of the weights file
    [InlineData("checkpoint:config.json")] // between two files
    [InlineData("checkpoint:swap")]      // after the old folder moved aside, before the new one moved in
    public void AWriteKilledMidwayLeavesTheOldCheckpointReadable(string crashPoint)
    {
        using var dir = new TempFolder();
        var folder = dir.File("ckpt");
        WriteSample(folder, 1);

        FaultInjection.Hook = point => { if (point == crashPoint) throw new IOException("simulated crash at " + point); };
        try
        {
            Assert.Throws<IOException>(() => WriteSample(folder, 2));
        }
        finally
        {
            FaultInjection.Hook = null;
        }

        Assert.Equal(1f, ReadValue(folder));
        Assert.Equal(["ckpt"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AProcessKilledBetweenTheRenamesIsRecoveredFromTheOldCopy()
    {
        using var dir = new TempFolder();
        var folder = dir.File("ckpt");
        WriteSample(folder, 1);
        // What a kill between "move old aside" and "move new in" leaves on disk: only the hidden old copy.
        Directory.Move(folder, dir.File(".ckpt.old-1-abc"));

        var checkpoint = CheckpointFolder.Open(folder);
        Assert.True(checkpoint.RecoveredFromInterruptedWrite);
        Assert.Equal(1f, ReadValue(folder));
    }

    [Fact]
    public void ATruncatedFileIsNamed()
    {
        using var dir = new TempFolder();
        var folder = dir.File("ckpt");
        WriteSample(folder, 1);
        var weights = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^10]);

        var e = Assert.Throws<InvalidDataException>(() => CheckpointFolder.Open(folder));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AFlippedByteIsCaughtByTheHash()
    {
        using var dir = new TempFolder();
        var folder = dir.File("ckpt");
        WriteSample(folder, 1);
        var weights = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(weights, bytes);

        var e = Assert.Throws<InvalidDataException>(() => CheckpointFolder.Open(folder));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void AFolderWithoutManifestOrNoFolderAtAllSaySo()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("manifest.json", Assert.Throws<InvalidDataException>(() => CheckpointFolder.Open(dir.File("empty"))).Message);
        Assert.Contains("No checkpoint", Assert.Throws<DirectoryNotFoundException>(() => CheckpointFolder.Open(dir.File("nothing"))).Message);
    }
}
