using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// Two 4-bit levels per byte: the level at an even position goes in the low nibble, the next (odd) one in the high
/// nibble, <c>byte = even | (odd &lt;&lt; 4)</c>. A row of n levels becomes n/2 real bytes, so int4 weights take half the
/// memory of int8 ones, not the same memory with half the bits unused.
/// </summary>
public static class Int4Packing
{
    /// <summary>Packs a uint8 tensor of levels 0..15 whose last dimension is even into a uint8 tensor with half that last dimension.</summary>
    /// <exception cref="ArgumentException">Not uint8, an odd last dimension, or a level above 15.</exception>
    public static Tensor Pack(Tensor levels)
    {
        if (levels.dtype != ScalarType.Byte)
            throw new ArgumentException($"Pack expects uint8 levels (ScalarType.Byte), got {levels.dtype}. Convert with .to(ScalarType.Byte) after clamping to 0..15.");
        if (levels.ndim == 0 || levels.shape[^1] % 2 != 0)
            throw new ArgumentException($"Pack needs an even last dimension (two levels per byte); got shape [{string.Join(", ", levels.shape)}].");
        if (levels.numel() > 0 && levels.max().item<byte>() > 15)
            throw new ArgumentException("A level above 15 does not fit in 4 bits: clamp levels to 0..15 before packing.");
        using var scope = NewDisposeScope();
        var shape = levels.shape.ToArray();
        shape[^1] /= 2;
        var pairs = levels.reshape(-1, 2);
        var packed = pairs[.., 0].bitwise_or(pairs[.., 1].bitwise_left_shift(4)).reshape(shape);
        return packed.MoveToOuterDisposeScope();
    }

    /// <summary>Inverse of <see cref="Pack"/>: a uint8 tensor with twice the last dimension, levels 0..15.</summary>
    public static Tensor Unpack(Tensor packed)
    {
        if (packed.dtype != ScalarType.Byte)
            throw new ArgumentException($"Unpack expects the uint8 bytes written by Pack, got {packed.dtype}.");
        using var scope = NewDisposeScope();
        var shape = packed.shape.ToArray();
        shape[^1] *= 2;
        var low = packed.bitwise_and(0x0F);
        var high = packed.bitwise_right_shift(4);
        return stack([low, high], -1).reshape(shape).MoveToOuterDisposeScope();
    }
}
