using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LlmCourse.IO;
using TorchSharp;

namespace LlmCourse.Tests.IO;

public class SafetensorsWriterTests
{
    [Fact]
    public void RoundTripIsExactForEveryDtype()
    {
        using var dir = new TempFolder();
        var path = dir.File("all.safetensors");
        torch.manual_seed(1);
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["f32"] = torch.randn(3, 5),
            ["f16"] = torch.randn(4).to(torch.float16),
            ["bf16"] = torch.randn(2, 2, 2).to(torch.bfloat16),
            ["f64"] = torch.randn(3, dtype: torch.float64),
            ["i64"] = torch.arange(-3, 4, dtype: torch.int64),
            ["i32"] = torch.tensor(new[] { int.MinValue, 0, int.MaxValue }),
            ["i8"] = torch.tensor(new sbyte[] { -128, 5, 127 }),
            ["u8"] = torch.tensor(new byte[] { 0, 200, 255 }),
            ["scalar"] = torch.tensor(3.25f),
            ["empty"] = torch.zeros(0, 4),
        };

        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["step"] = "12" });

        using var file = SafetensorsReader.Open(path);
        Assert.Equal("12", file.Metadata["step"]);
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.bytes.SequenceEqual(actual.bytes), $"bytes of {name} differ");
        }
    }

    [Fact]
    public void LayoutFollowsTheFormatNamesSortedAndHeaderAligned()
    {
        using var dir = new TempFolder();
        var path = dir.File("layout.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, torch.Tensor>
        {
            ["zeta"] = torch.ones(3),
            ["alpha"] = torch.zeros(2, dtype: torch.float16),
        });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var alpha = header.RootElement.GetProperty("alpha");
        var zeta = header.RootElement.GetProperty("zeta");
        Assert.Equal("F16", alpha.GetProperty("dtype").GetString());
        Assert.Equal([0L, 4L], alpha.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([4L, 16L], zeta.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + headerLength + 16, bytes.Length);
        Assert.Equal(1f, BitConverter.ToSingle(bytes, (int)(8 + headerLength + 4)));
    }

    [Fact]
    public void FloatsCanBeStoredAsBFloat16AndIntegersStayExact()
    {
        using var dir = new TempFolder();
        var path = dir.File("half.safetensors");
        using var weights = torch.tensor(new[] { 1f, 0.333333f, -1000.5f });
        using var ids = torch.tensor(new long[] { 1L << 40 });

        SafetensorsWriter.Write(path, new Dictionary<string, torch.Tensor> { ["w"] = weights, ["ids"] = ids }, storeFloatsAs: torch.bfloat16);

        using var file = SafetensorsReader.Open(path);
        Assert.Equal("BF16", file["w"].DType);
        Assert.Equal("I64", file["ids"].DType);
        using var back = file.Read("w", torch.float32);
        Assert.True(back.allclose(weights, rtol: 1e-2, atol: 0));
        Assert.Equal(1L << 40, file.Read("ids").item<long>());
    }

    [Fact]
    public void AWriteThatFailsMidwayLeavesTheOldFileIntactAndNoTemporaryFile()
    {
        using var dir = new TempFolder();
        var path = dir.File("w.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, torch.Tensor> { ["a"] = torch.ones(4), ["b"] = torch.ones(4) });
        var before = File.ReadAllBytes(path);

        FaultInjection.Hook = point => { if (point == "safetensors:b") throw new IOException("simulated crash"); };
        try
        {
            Assert.Throws<IOException>(() => SafetensorsWriter.Write(path,
                new Dictionary<string, torch.Tensor> { ["a"] = torch.zeros(4), ["b"] = torch.zeros(4) }));
        }
        finally
        {
            FaultInjection.Hook = null;
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void DuplicateOrReservedNamesAreRejected()
    {
        using var dir = new TempFolder();
        var pairs = new[] { KeyValuePair.Create("x", torch.ones(1)), KeyValuePair.Create("x", torch.ones(1)) };
        Assert.Contains("unique", Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(dir.File("d.safetensors"), pairs)).Message);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(dir.File("m.safetensors"),
            new Dictionary<string, torch.Tensor> { ["__metadata__"] = torch.ones(1) }));
    }
}
