using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// A small file of named tensors in the safetensors layout, used for LoRA adapters and quantized weights:
/// 8 bytes (little-endian header length N), N bytes of JSON header (padded with spaces to a multiple of 8), then the
/// raw little-endian bytes of every tensor, back to back. So the file size is exactly
/// <c>HeaderBytes + sum of tensor bytes</c>, and a packed int4 tensor takes half a byte per weight on disk too.
/// </summary>
/// <remarks>
/// The header maps each name to <c>{"dtype": "U8", "shape": [64, 32], "data_offsets": [begin, end]}</c> (offsets
/// relative to the first data byte) and may hold a <c>"__metadata__"</c> object of string pairs (we store the LoRA rank
/// or the quantization scheme there). Python's <c>safetensors.torch.load_file</c> reads these files. This is the levers'
/// own minimal reader/writer; the course's general checkpoint IO may replace it once it exists. Writes are atomic:
/// a temporary file in the same folder is renamed over the target.
/// </remarks>
public static class TensorFile
{
    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Float64] = "F64", [ScalarType.Byte] = "U8", [ScalarType.Int8] = "I8",
        [ScalarType.Int32] = "I32", [ScalarType.Int64] = "I64",
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order) and optional string metadata to <paramref name="path"/>.
    /// Returns the header size in bytes (the 8-byte length plus the padded JSON), i.e. file size minus tensor bytes.
    /// </summary>
    /// <exception cref="ArgumentException">A duplicate name, or a dtype the format has no name for.</exception>
    public static long Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        EnsureLittleEndian();
        var items = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (var (name, tensor) in items)
        {
            if (name == MetadataKey || header.ContainsKey(name))
                throw new ArgumentException($"Tensor name '{name}' is used twice (or is reserved); give every tensor a unique name.", nameof(tensors));
            if (!DtypeNames.TryGetValue(tensor.dtype, out var dtype))
                throw new ArgumentException($"Tensor '{name}' has dtype {tensor.dtype}, which this file format does not store. " +
                                            $"Convert it first, e.g. tensor.to(ScalarType.Float32).", nameof(tensors));
            var size = tensor.numel() * tensor.element_size();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(json);
                for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var (_, tensor) in items)
                {
                    using var scope = NewDisposeScope(); // detach/cpu/contiguous make wrappers; the caller's tensor is not in this scope
                    stream.Write(tensor.detach().cpu().contiguous().bytes);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return 8 + padded;
    }

    /// <summary>Reads a file written by <see cref="Write"/> (or any safetensors file with the dtypes above).</summary>
    /// <exception cref="InvalidDataException">The file is not in this layout or is truncated.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        EnsureLittleEndian();
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
            throw new InvalidDataException($"'{path}' is too short to be a tensor file (safetensors layout). Save it with TensorFile.Write.");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"'{path}' claims a {headerLength}-byte header but holds {bytes.Length} bytes: it is truncated or not a tensor file.");
        var dataStart = 8 + (int)headerLength;
        JsonObject header;
        try { header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' does not start with a safetensors JSON header: {e.Message}", e); }

        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            var dtypeName = node!["dtype"]!.GetValue<string>();
            var dtype = DtypeNames.FirstOrDefault(kv => kv.Value == dtypeName).Key;
            if (!DtypeNames.ContainsKey(dtype) || DtypeNames[dtype] != dtypeName)
                throw new InvalidDataException($"Tensor '{name}' in '{path}' has dtype {dtypeName}, which this reader does not handle.");
            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var begin = node["data_offsets"]![0]!.GetValue<long>();
            var end = node["data_offsets"]![1]!.GetValue<long>();
            if (dataStart + end > bytes.Length)
                throw new InvalidDataException($"Tensor '{name}' runs past the end of '{path}': the file is truncated.");
            var tensor = empty(shape, dtype);
            if (tensor.numel() * tensor.element_size() != end - begin)
                throw new InvalidDataException($"Tensor '{name}' in '{path}': shape [{string.Join(", ", shape)}] does not match its {end - begin} bytes.");
            tensor.bytes = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
            tensors[name] = tensor;
        }
        return (tensors, metadata);
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("TensorFile copies raw tensor memory and needs a little-endian machine.");
    }
}
