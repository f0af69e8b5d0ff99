using System.Text.Json;

namespace LlmCourse.IO;

/// <summary>
/// The parsed, validated header of a safetensors file: its tensors in file order and its <c>__metadata__</c>.
/// </summary>
/// <param name="Entries">The tensors, sorted by where their bytes begin.</param>
/// <param name="Metadata">The free-form string map stored under <c>__metadata__</c> (empty if absent).</param>
/// <param name="DataStart">File offset of the data section: 8 bytes of length plus the header itself.</param>
public sealed record SafetensorsHeader(IReadOnlyList<SafetensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart)
{
    /// <summary>The key under which the format keeps the free-form metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted (the reference implementation's limit): a guard against reading garbage as a length.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Parses and checks a header: every dtype known, every size equal to shape × element size, and the tensors tiling
    /// the data section exactly (no overlap, no gap, nothing past the end of the file, nothing unaccounted for after it).
    /// </summary>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="json">The header's JSON bytes.</param>
    /// <param name="dataStart">File offset of the data section.</param>
    /// <param name="dataLength">Bytes the file holds after the header.</param>
    /// <exception cref="SafetensorsFormatException">Anything is wrong; the message names the file and the tensor.</exception>
    public static SafetensorsHeader Parse(string path, ReadOnlySpan<byte> json, long dataStart, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null,
                $"the header is not valid JSON ({e.Message}). The file is corrupt or not a safetensors file; write or download it again.", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, null, "the header is not a JSON object. The file is not a safetensors file.");
            var metadata = new Dictionary<string, string>();
            var entries = new List<SafetensorsEntry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckLayout(path, entries, dataLength);
            return new SafetensorsHeader(entries, metadata, dataStart);
        }
    }

    /// <summary>
    /// The header bytes for tensors laid out back to back in the given order, padded with spaces so the data section
    /// starts on an 8-byte boundary (as the format recommends).
    /// </summary>
    public static byte[] Build(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType);
                writer.WriteStartArray("shape");
                foreach (var d in entry.Shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        var length = buffer.Length;
        var padded = (length + 8 + 7) / 8 * 8 - 8;
        for (var i = length; i < padded; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, null, $"'{MetadataKey}' must be a JSON object of strings.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, null, $"'{MetadataKey}' entry '{item.Name}' is not a string; the format allows only strings there.");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ReadEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, name, "its header entry is not an object with dtype, shape and data_offsets.");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, name, "its header entry has no string 'dtype'.");
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDType.IsKnown(dtype))
            throw new SafetensorsFormatException(path, name,
                $"dtype '{dtype}' is not supported (supported: {string.Join(", ", SafetensorsDType.Names)}). Convert the file, e.g. to F32 or BF16.");
        var shape = ReadIntegers(path, name, value, "shape");
        if (shape.Any(d => d < 0))
            throw new SafetensorsFormatException(path, name, $"its shape [{string.Join(", ", shape)}] has a negative dimension.");
        var offsets = ReadIntegers(path, name, value, "data_offsets");
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw new SafetensorsFormatException(path, name,
                $"data_offsets [{string.Join(", ", offsets)}] must be two numbers [begin, end] with 0 <= begin <= end.");
        var entry = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        long expected;
        try
        {
            expected = checked(entry.ElementCount * SafetensorsDType.SizeOf(dtype));
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name, $"its shape {entry.ShapeText} is too large to be real; the header is corrupt.");
        }
        if (entry.ByteLength != expected)
            throw new SafetensorsFormatException(path, name,
                $"it spans {entry.ByteLength} bytes, but shape {entry.ShapeText} of {dtype} needs {expected}. The header is corrupt.");
        return entry;
    }

    private static long[] ReadIntegers(string path, string name, JsonElement value, string property)
    {
        if (!value.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, name, $"its header entry has no '{property}' array.");
        var result = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out result[i++]))
                throw new SafetensorsFormatException(path, name, $"'{property}' holds something other than whole numbers.");
        }
        return result;
    }

    private static void CheckLayout(string path, List<SafetensorsEntry> entries, long dataLength)
    {
        long end = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.End > dataLength)
                throw new SafetensorsFormatException(path, entry.Name,
                    $"its bytes run to offset {entry.End} of the data section, but the file holds only {dataLength} data bytes: " +
                    "the file is truncated (an interrupted write or download). Write or download it again.");
            if (entry.Begin < end)
                throw new SafetensorsFormatException(path, entry.Name,
                    $"its bytes [{entry.Begin}, {entry.End}) overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}). The header is corrupt.");
            if (entry.Begin > end)
                throw new SafetensorsFormatException(path, entry.Name,
                    $"{entry.Begin - end} bytes before it at offset {end} belong to no tensor; the format lays tensors back to back. The header is corrupt.");
            end = entry.End;
            previous = entry;
        }
        if (end != dataLength)
            throw new SafetensorsFormatException(path, null,
                $"{dataLength - end} bytes after the last tensor belong to no tensor. The file is corrupt or was written by a broken writer.");
    }
}
