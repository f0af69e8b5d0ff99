using System.Buffers.Binary;
using System.Text;
using LlmCourse.IO;
using TorchSharp;

namespace LlmCourse.Tests.IO;

public class SafetensorsReaderTests
{
    /// <summary>Builds a file byte by byte as the format describes it, independent of the course's writer.</summary>
    private static byte[] HandBuilt(string header, params byte[][] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new List<byte>();
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        bytes.AddRange(length);
        bytes.AddRange(json);
        foreach (var d in data)
            bytes.AddRange(d);
        return bytes.ToArray();
    }

    private static byte[] F32(params float[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] U16(params ushort[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private const string ThreeTensors =
        """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]},"c":{"dtype":"F16","shape":[],"data_offsets":[12,14]}}""";

    private static byte[] ThreeTensorFile() =>
        // bf16 0x3F80 = 1.0, 0xBF00 = -0.5; f16 0x3C00 = 1.0
        HandBuilt(ThreeTensors, F32(1.5f, -2f), U16(0x3F80, 0xBF00), U16(0x3C00));

    [Fact]
    public void ReadsAHandBuiltFile()
    {
        using var dir = new TempFolder();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, ThreeTensorFile());

        using var file = SafetensorsReader.Open(path);
        Assert.Equal(["a", "b", "c"], file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        using var a = file.Read("a");
        using var b = file.Read("b");
        using var c = file.Read("c", torch.float32);
        Assert.Equal(torch.ScalarType.Float32, a.dtype);
        Assert.Equal([1.5f, -2f], a.data<float>().ToArray());
        Assert.Equal(torch.ScalarType.BFloat16, b.dtype);
        Assert.Equal([1L, 2L], b.shape);
        Assert.Equal([1f, -0.5f], b.to(torch.float32).data<float>().ToArray());
        Assert.Empty(c.shape);
        Assert.Equal(1f, c.item<float>());
    }

    [Fact]
    public void ReadIntoAParameterConvertsTheDtype()
    {
        using var dir = new TempFolder();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, ThreeTensorFile());
        using var file = SafetensorsReader.Open(path);
        using var destination = torch.zeros(1, 2, dtype: torch.float32);

        file.ReadInto("b", destination);

        Assert.Equal([1f, -0.5f], destination.data<float>().ToArray());
    }

    [Fact]
    public void ReadIntoAWrongShapeNamesTheTensorAndBothShapes()
    {
        using var dir = new TempFolder();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, ThreeTensorFile());
        using var file = SafetensorsReader.Open(path);
        using var destination = torch.zeros(3);

        var e = Assert.Throws<SafetensorsFormatException>(() => file.ReadInto("a", destination));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("[2]", e.Message);
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void ATruncatedFileNamesTheFileAndTheFirstTensorCut()
    {
        using var dir = new TempFolder();
        var path = dir.File("cut.safetensors");
        var bytes = ThreeTensorFile();
        File.WriteAllBytes(path, bytes[..^3]); // c (2 bytes) and the last byte of b are gone

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Open(path));
        Assert.Contains("cut.safetensors", e.Message);
        Assert.Equal("b", e.TensorName);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AFileCutInsideTheHeaderSaysTruncated()
    {
        using var dir = new TempFolder();
        var path = dir.File("cut.safetensors");
        File.WriteAllBytes(path, ThreeTensorFile()[..40]);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Open(path));
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "b", "overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "a", "needs 12")]
    [InlineData("""{"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}""", "a", "not supported")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "a", "belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", null, "after the last tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2]}}""", "a", "data_offsets")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", null, "not valid JSON")]
    public void ACorruptHeaderIsRejectedWithTheTensorNamed(string header, string? tensor, string expected)
    {
        using var dir = new TempFolder();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, HandBuilt(header, F32(1, 2)));

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Open(path));
        Assert.Equal(tensor, e.TensorName);
        Assert.Contains(expected, e.Message);
        Assert.Contains("bad.safetensors", e.Message);
    }

    [Fact]
    public void AHugeHeaderLengthSaysItIsNotASafetensorsFile()
    {
        using var dir = new TempFolder();
        var path = dir.File("other.bin");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0x7F, 64).ToArray());

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Open(path));
        Assert.Contains("not a safetensors file", e.Message);
    }

    [Fact]
    public void AnUnknownNameListsSimilarNames()
    {
        using var dir = new TempFolder();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, ThreeTensorFile());
        using var file = SafetensorsReader.Open(path);

        var e = Assert.Throws<KeyNotFoundException>(() => file.Read("z"));
        Assert.Contains("'z'", e.Message);
        Assert.Contains("a, b, c", e.Message);
    }
}
