using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// A weight matrix stored as integers: <see cref="Codes"/> (uint8; for 4-bit two levels per byte), float16
/// <see cref="Scales"/> and, for asymmetric schemes, uint8 <see cref="Zeros"/>. This is what a quantized checkpoint
/// really holds; <see cref="Dequantize()"/> turns it back into float32 for a normal matmul.
/// </summary>
/// <remarks>
/// Why not compute in int8? TorchSharp's int8 matmul returns int8 and silently wraps around on overflow (a dot product
/// of 768 int8 pairs needs ~22 bits), and int32 matmul is exact but ~15× slower than float32 on CPU. So the integers
/// are storage; arithmetic happens in float32 after dequantizing.
/// </remarks>
public sealed class QuantizedTensor : IDisposable
{
    /// <summary>Packed levels: shape (out, in) for 8-bit, (out, in/2) for 4-bit; uint8.</summary>
    public Tensor Codes { get; }

    /// <summary>Scale per group, shape (rows, groups) from <see cref="QuantScheme.ParamShape"/>; float16.</summary>
    public Tensor Scales { get; }

    /// <summary>Zero-point per group (same shape as <see cref="Scales"/>), uint8; null for symmetric schemes (zero-point implied).</summary>
    public Tensor? Zeros { get; }

    /// <summary>The scheme the levels were made with.</summary>
    public QuantScheme Scheme { get; }

    /// <summary>Output features (rows of the float weight).</summary>
    public long OutFeatures { get; }

    /// <summary>Input features (columns of the float weight).</summary>
    public long InFeatures { get; }

    /// <summary>Wraps already-stored tensors (as read from a file). Shapes and dtypes are checked.</summary>
    /// <exception cref="ArgumentException">A tensor's shape or dtype does not fit the scheme.</exception>
    public QuantizedTensor(Tensor codes, Tensor scales, Tensor? zeros, QuantScheme scheme, long outFeatures, long inFeatures)
    {
        scheme.Validate(outFeatures, inFeatures);
        var codeCols = scheme.Bits == 4 ? inFeatures / 2 : inFeatures;
        var (rows, groups) = scheme.ParamShape(outFeatures, inFeatures);
        Require(codes, ScalarType.Byte, [outFeatures, codeCols], "codes");
        Require(scales, ScalarType.Float16, [rows, groups], "scales");
        if (scheme.Symmetric != zeros is null)
            throw new ArgumentException(scheme.Symmetric ? "A symmetric scheme stores no zero-points: pass zeros = null." : "An asymmetric scheme needs its zero-points.");
        if (zeros is not null) Require(zeros, ScalarType.Byte, [rows, groups], "zeros");
        (Codes, Scales, Zeros, Scheme, OutFeatures, InFeatures) = (codes, scales, zeros, scheme, outFeatures, inFeatures);
    }

    /// <summary>Round-to-nearest quantization of a float weight matrix (out × in): every weight snaps to its group's grid independently.</summary>
    public static QuantizedTensor Quantize(Tensor weight, QuantScheme scheme)
    {
        if (weight.ndim != 2)
            throw new ArgumentException($"Quantize expects a 2-D weight (out × in), got shape [{string.Join(", ", weight.shape)}].");
        var (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1]);
        scheme.Validate(outFeatures, inFeatures);
        using var scope = NewDisposeScope();
        var grouped = Grouped(weight.detach().to(ScalarType.Float32), scheme);
        var (scale, zero) = QuantGrid.Fit(grouped, scheme);
        var levels = QuantGrid.Levels(grouped, scale.unsqueeze(-1), zero.unsqueeze(-1), scheme).reshape(outFeatures, inFeatures);
        return FromLevels(levels, scale, zero, scheme).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Stores levels already chosen by some algorithm (round-to-nearest, GPTQ): float or uint8 levels (out × in) in
    /// 0..2^bits−1 and the float32 scale/zero tensors of shape (rows, groups) from <see cref="QuantGrid.Fit"/>.
    /// </summary>
    public static QuantizedTensor FromLevels(Tensor levels, Tensor scale, Tensor zero, QuantScheme scheme)
    {
        var (outFeatures, inFeatures) = (levels.shape[0], levels.shape[1]);
        using var scope = NewDisposeScope();
        var bytes = levels.to(ScalarType.Byte);
        var codes = scheme.Bits == 4 ? Int4Packing.Pack(bytes) : bytes.contiguous();
        var scales = scale.to(ScalarType.Float16);
        var zeros = scheme.Symmetric ? null : zero.to(ScalarType.Byte).MoveToOuterDisposeScope();
        return new QuantizedTensor(codes.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(), zeros, scheme, outFeatures, inFeatures);
    }

    /// <summary>The levels as uint8 (out × in), unpacked.</summary>
    public Tensor Levels() => Scheme.Bits == 4 ? Int4Packing.Unpack(Codes) : Codes.clone();

    /// <summary>The float32 weight the integers stand for, (out × in).</summary>
    public Tensor Dequantize() => Dequantize(Codes, Scales, Zeros, Scheme, OutFeatures, InFeatures);

    /// <summary>Dequantizes stored tensors directly (what <see cref="QuantizedLinear"/> does in every forward).</summary>
    public static Tensor Dequantize(Tensor codes, Tensor scales, Tensor? zeros, QuantScheme scheme, long outFeatures, long inFeatures)
    {
        using var scope = NewDisposeScope();
        var values = (scheme.Bits == 4 ? Int4Packing.Unpack(codes) : codes).to(ScalarType.Float32); // a fresh float copy
        var grouped = Grouped(values, scheme); // a view of it
        var scale = scales.to(ScalarType.Float32).unsqueeze(-1);
        // (u − z) · s in place: on every forward this runs over the whole weight, and each extra temporary of that size
        // costs a fresh allocation, which on CPU is slower than the arithmetic.
        if (zeros is null) grouped.sub_(scheme.SymmetricZero);
        else grouped.sub_(zeros.to(ScalarType.Float32).unsqueeze(-1));
        grouped.mul_(scale);
        return values.reshape(outFeatures, inFeatures).MoveToOuterDisposeScope();
    }

    /// <summary>The step (scale) that applies to each weight, expanded to (out × in): half of it bounds each weight's rounding error.</summary>
    public Tensor StepPerWeight()
    {
        using var scope = NewDisposeScope();
        var (rows, groups) = Scheme.ParamShape(OutFeatures, InFeatures);
        var perGroup = Scales.to(ScalarType.Float32).reshape(rows, groups, 1);
        var weightsPerGroup = Scheme.WeightsPerGroup(OutFeatures, InFeatures);
        return perGroup.expand(rows, groups, weightsPerGroup).reshape(OutFeatures, InFeatures).MoveToOuterDisposeScope();
    }

    /// <summary>Bytes of storage: codes + scales + zero-points, counted from the tensors themselves.</summary>
    public long StorageBytes => Bytes(Codes) + Bytes(Scales) + (Zeros is null ? 0 : Bytes(Zeros));

    /// <summary>Storage per weight in bits, e.g. 4.125 for int4 with float16 scales per 128 weights.</summary>
    public double BitsPerWeight => 8.0 * StorageBytes / (OutFeatures * InFeatures);

    /// <summary>Views a weight-shaped (out × in) tensor as (rows, groups, weights per group), the layout scales apply to.</summary>
    public static Tensor Grouped(Tensor weight, QuantScheme scheme)
    {
        var (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1]);
        var (rows, groups) = scheme.ParamShape(outFeatures, inFeatures);
        return weight.reshape(rows, groups, scheme.WeightsPerGroup(outFeatures, inFeatures));
    }

    /// <summary>Moves the stored tensors out of the current dispose scope into the enclosing one (as Tensor.MoveToOuterDisposeScope does).</summary>
    public QuantizedTensor MoveToOuterDisposeScope()
    {
        Codes.MoveToOuterDisposeScope();
        Scales.MoveToOuterDisposeScope();
        Zeros?.MoveToOuterDisposeScope();
        return this;
    }

    internal static long Bytes(Tensor t) => t.numel() * t.element_size();

    private static void Require(Tensor t, ScalarType dtype, long[] shape, string what)
    {
        if (t.dtype != dtype || !t.shape.SequenceEqual(shape))
            throw new ArgumentException($"Quantized {what} must be {dtype} of shape [{string.Join(", ", shape)}], got {t.dtype} [{string.Join(", ", t.shape)}]: " +
                                        "the file or tensors do not belong to this scheme and layer size.");
    }

    /// <summary>Frees the stored tensors.</summary>
    public void Dispose()
    {
        Codes.Dispose();
        Scales.Dispose();
        Zeros?.Dispose();
    }
}
