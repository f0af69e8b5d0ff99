using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.IO;

/// <summary>
/// Reads tensors from a safetensors file one at a time, straight from the file into each tensor's native memory:
/// a 500 MB file never passes through a managed array. The header is read and checked when the file is opened.
/// <code>
/// using var file = SafetensorsReader.Open("model.safetensors");
/// using var wte = file.Read("wte.weight");          // as stored (F32, F16, BF16, ...)
/// using var f32 = file.Read("wte.weight", torch.float32);
/// </code>
/// </summary>
public sealed class SafetensorsReader : IDisposable
{
    private readonly SafeFileHandle handle;
    private readonly Dictionary<string, SafetensorsEntry> byName;

    private SafetensorsReader(string path, SafeFileHandle handle, SafetensorsHeader header)
    {
        Path = path;
        this.handle = handle;
        Header = header;
        byName = header.Entries.ToDictionary(e => e.Name);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The parsed header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries => Header.Entries;

    /// <summary>The tensor names, sorted.</summary>
    public IReadOnlyList<string> Names => byName.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The file's <c>__metadata__</c> map.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>The header entry of one tensor.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists similar names.</exception>
    public SafetensorsEntry this[string name] => byName.TryGetValue(name, out var entry) ? entry
        : throw new KeyNotFoundException($"{Path} has no tensor '{name}'. {Suggest(name)}");

    /// <summary>Opens a file and validates its header (sizes, offsets, truncation). Tensors are read later, on demand.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The header is malformed or the file is truncated; the message names the tensor.</exception>
    public static SafetensorsReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The safetensors reader copies little-endian bytes as they are; this machine is big-endian.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No safetensors file at '{path}'. Check the path (relative paths start at {Directory.GetCurrentDirectory()}).", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new SafetensorsReader(path, handle, ReadHeader(path, handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads one tensor into a new CPU tensor, optionally converted to <paramref name="dtype"/>.
    /// The caller owns (disposes) the result.
    /// </summary>
    public Tensor Read(string name, ScalarType? dtype = null)
    {
        var entry = this[name];
        var tensor = torch.empty(entry.Shape, entry.ScalarType);
        try
        {
            Fill(entry, tensor);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        if (dtype is null || dtype == entry.ScalarType)
            return tensor;
        using (tensor)
            return tensor.to(dtype.Value);
    }

    /// <summary>
    /// Copies one tensor into an existing tensor (a model parameter, say) of the same shape, converting the dtype.
    /// Gradients are not tracked.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The shapes differ; the message names the tensor and both shapes.</exception>
    public void ReadInto(string name, Tensor destination)
    {
        var entry = this[name];
        if (!entry.Shape.SequenceEqual(destination.shape))
            throw new SafetensorsFormatException(Path, name,
                $"its shape is {entry.ShapeText} in the file but [{string.Join(", ", destination.shape)}] in the destination. " +
                "The file was written for another configuration: build the model from the configuration saved with these weights.");
        using var _ = torch.no_grad();
        if (entry.ScalarType == destination.dtype && destination.is_contiguous() && destination.device_type == DeviceType.CPU)
        {
            Fill(entry, destination);
            return;
        }
        using var stored = Read(name);
        destination.copy_(stored);
    }

    /// <summary>Reads every tensor into a dictionary of new CPU tensors (the caller disposes them).</summary>
    public Dictionary<string, Tensor> ReadAll(ScalarType? dtype = null) =>
        Entries.ToDictionary(e => e.Name, e => Read(e.Name, dtype));

    /// <summary>Closes the file.</summary>
    public void Dispose() => handle.Dispose();

    private void Fill(SafetensorsEntry entry, Tensor tensor)
    {
        if (entry.ByteLength == 0)
            return;
        if (entry.ByteLength > int.MaxValue)
            throw new SafetensorsFormatException(Path, entry.Name, $"it is {entry.ByteLength} bytes; tensors over 2 GB are not supported by this reader.");
        // TorchSharp's `bytes` is a span over the tensor's own native storage: the file's bytes land in place.
        var target = tensor.bytes;
        var offset = Header.DataStart + entry.Begin;
        while (!target.IsEmpty)
        {
            var read = RandomAccess.Read(handle, target, offset);
            if (read == 0)
                throw new SafetensorsFormatException(Path, entry.Name,
                    "the file ended while reading this tensor: it was truncated after it was opened. Write or download it again.");
            target = target[read..];
            offset += read;
        }
    }

    private static SafetensorsHeader ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8 || RandomAccess.Read(handle, lengthBytes, 0) != 8)
            throw new SafetensorsFormatException(path, null,
                $"the file is {fileLength} bytes long, too short to hold the 8-byte header length. It is empty or truncated; write or download it again.");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > SafetensorsHeader.MaxHeaderBytes)
            throw new SafetensorsFormatException(path, null,
                $"the first 8 bytes announce a {headerLength}-byte header, more than the format's limit of {SafetensorsHeader.MaxHeaderBytes}. " +
                "This is not a safetensors file (a PyTorch .bin or a TorchSharp .dat, maybe?).");
        if ((long)headerLength > fileLength - 8)
            throw new SafetensorsFormatException(path, null,
                $"the header claims {headerLength} bytes but the file has only {fileLength - 8} after the length: the file is truncated. Write or download it again.");
        var json = new byte[headerLength];
        if (RandomAccess.Read(handle, json, 8) != json.Length)
            throw new SafetensorsFormatException(path, null, "the header could not be read in full: the file is truncated.");
        var dataStart = 8 + (long)headerLength;
        return SafetensorsHeader.Parse(path, json, dataStart, fileLength - dataStart);
    }

    private string Suggest(string name)
    {
        var tail = name.Split('.').Last();
        var similar = byName.Keys.Where(k => k.EndsWith(tail, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(5).ToList();
        return similar.Count > 0
            ? $"Names ending in '{tail}': {string.Join(", ", similar)}."
            : $"It holds {byName.Count} tensors, e.g. {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal).Take(5))}.";
    }
}
