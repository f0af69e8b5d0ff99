using TorchSharp;

namespace LlmCourse.IO;

/// <summary>
/// One tensor as a safetensors header describes it: its name, element type, shape, and where its bytes lie.
/// </summary>
/// <param name="Name">The tensor's name, e.g. <c>h.0.attn.c_attn.weight</c>.</param>
/// <param name="DType">The format's dtype name, e.g. <c>F32</c> or <c>BF16</c>.</param>
/// <param name="Shape">The tensor's shape; empty for a scalar.</param>
/// <param name="Begin">Offset of the first byte, counted from the start of the data section (just after the header).</param>
/// <param name="End">Offset one past the last byte, from the start of the data section.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The TorchSharp scalar type of <see cref="DType"/>.</summary>
    public torch.ScalarType ScalarType => SafetensorsDType.ToScalarType(DType);

    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Number of bytes the tensor occupies in the file.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as the format writes it, e.g. <c>[768, 2304]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
