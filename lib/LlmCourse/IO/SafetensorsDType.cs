using TorchSharp;

namespace LlmCourse.IO;

/// <summary>
/// The element types a safetensors file can hold, by the names the format uses ("F32", "BF16", ...), and their
/// TorchSharp equivalents. The format stores every element little-endian, with no padding between elements.
/// </summary>
public static class SafetensorsDType
{
    private static readonly (string Name, torch.ScalarType Type, int Size)[] Known =
    [
        ("F64", torch.ScalarType.Float64, 8),
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    ];

    /// <summary>The dtype names this reader and writer understand.</summary>
    public static IReadOnlyList<string> Names { get; } = Known.Select(k => k.Name).ToArray();

    /// <summary>True when <paramref name="name"/> is a dtype this code can read.</summary>
    public static bool IsKnown(string name) => Known.Any(k => k.Name == name);

    /// <summary>Bytes per element of the named dtype.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static int SizeOf(string name) => Find(name).Size;

    /// <summary>The TorchSharp scalar type of the named dtype.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static torch.ScalarType ToScalarType(string name) => Find(name).Type;

    /// <summary>The safetensors name of a TorchSharp scalar type.</summary>
    /// <exception cref="ArgumentException">The type has no safetensors name here (complex types, for instance).</exception>
    public static string FromScalarType(torch.ScalarType type)
    {
        foreach (var k in Known)
            if (k.Type == type)
                return k.Name;
        throw new ArgumentException(
            $"Tensors of type {type} cannot be stored in safetensors by this writer. Convert them first, e.g. tensor.to(torch.float32). " +
            $"Supported: {string.Join(", ", Names)}.", nameof(type));
    }

    private static (string Name, torch.ScalarType Type, int Size) Find(string name)
    {
        foreach (var k in Known)
            if (k.Name == name)
                return k;
        throw new ArgumentException($"Unknown safetensors dtype '{name}'. This reader understands {string.Join(", ", Names)}.", nameof(name));
    }
}
