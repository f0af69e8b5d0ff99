using System.Buffers.Binary;
using static TorchSharp.torch;

namespace LlmCourse.IO;

/// <summary>
/// Writes tensors as a safetensors file that Python's <c>safetensors</c>, Hugging Face tools and this course all read.
/// Tensors are laid out in name order; the header is space-padded so the data starts on an 8-byte boundary.
/// The write is atomic: bytes go to a temporary file beside the target, which is renamed over the target only when
/// complete, so an interrupted write leaves the old file as it was.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The target file; its folder is created if missing.</param>
    /// <param name="tensors">Name → tensor. Any device, any layout; each is copied to CPU and made contiguous one at a time.</param>
    /// <param name="metadata">Optional string map stored as <c>__metadata__</c>.</param>
    /// <param name="storeFloatsAs">Optional floating type (e.g. <c>torch.bfloat16</c>) for every floating tensor; integer tensors stay as they are.</param>
    /// <exception cref="ArgumentException">Two tensors share a name, a name is empty, or a dtype has no safetensors name.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, ScalarType? storeFloatsAs = null)
    {
        var sorted = tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (string.IsNullOrEmpty(sorted[i].Key) || sorted[i].Key == SafetensorsHeader.MetadataKey)
                throw new ArgumentException($"'{sorted[i].Key}' cannot name a tensor in a safetensors file.", nameof(tensors));
            if (i > 0 && sorted[i].Key == sorted[i - 1].Key)
                throw new ArgumentException($"Two tensors are named '{sorted[i].Key}'. Names must be unique.", nameof(tensors));
        }
        var types = sorted.Select(p => StoredType(p.Value, storeFloatsAs)).ToList();
        var entries = new List<SafetensorsEntry>(sorted.Count);
        long offset = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            var dtype = SafetensorsDType.FromScalarType(types[i]);
            var bytes = sorted[i].Value.numel() * SafetensorsDType.SizeOf(dtype);
            entries.Add(new SafetensorsEntry(sorted[i].Key, dtype, sorted[i].Value.shape, offset, offset + bytes));
            offset += bytes;
        }
        var header = SafetensorsHeader.Build(entries, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            for (var i = 0; i < sorted.Count; i++)
            {
                FaultInjection.Point($"safetensors:{sorted[i].Key}");
                using var scope = NewDisposeScope();
                var stored = sorted[i].Value.detach().to(types[i], CPU).contiguous();
                stream.Write(stored.bytes);
            }
        });
    }

    private static ScalarType StoredType(Tensor tensor, ScalarType? storeFloatsAs) =>
        storeFloatsAs is { } floating && is_floating_point(tensor) ? floating : tensor.dtype;
}
