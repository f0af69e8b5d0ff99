using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// The rounding grid of one set of weight groups: a scale per group and a zero-point per group. Round-to-nearest,
/// GPTQ and AWQ all share it, so their results are stored and read back identically.
/// </summary>
/// <remarks>
/// Scales are kept in float16, as real int4/int8 checkpoints do. They are rounded to float16 <em>before</em> any
/// weight is rounded, so quantization and dequantization use exactly the same step, and rounded <em>up</em> (by at most
/// 0.15 %): rounding down would push the group's largest weight past the last level (by up to 255 × 2⁻¹¹ ≈ 0.12 of a
/// step for int8), breaking the half-a-step bound. Scales are floored at float16's
/// smallest normal number (6.1e-5): an all-zero group would otherwise divide by zero, and a tiny group rounds to a
/// grid finer than its weights need, which costs nothing in accuracy.
/// </remarks>
public static class QuantGrid
{
    private const double MinScale = 6.103515625e-05; // 2^-14, float16's smallest normal

    /// <summary>
    /// Scales and zero-points for weights viewed as (rows, groups, weights per group), reducing over the last dimension.
    /// Returns float32 tensors of shape (rows, groups): the float16-rounded scale and the integer zero-point (as float).
    /// </summary>
    public static (Tensor Scale, Tensor Zero) Fit(Tensor grouped, QuantScheme scheme)
    {
        using var scope = NewDisposeScope();
        Tensor scale, zero;
        if (scheme.Symmetric)
        {
            scale = RoundToHalf(grouped.abs().amax([-1]) / scheme.SymmetricMax);
            zero = full_like(scale, scheme.SymmetricZero);
        }
        else
        {
            // Include 0 in the range, so a group of all-positive weights still has an exact 0 and its zero-point fits.
            var lo = grouped.amin([-1]).clamp_max(0);
            var hi = grouped.amax([-1]).clamp_min(0);
            scale = RoundToHalf((hi - lo) / scheme.MaxLevel);
            zero = (-lo / scale).round().clamp(0, scheme.MaxLevel);
        }
        return (scale.MoveToOuterDisposeScope(), zero.MoveToOuterDisposeScope());
    }

    /// <summary>The integer level of each weight, <c>clamp(round(w / s) + z, 0, 2^bits − 1)</c>, as float. Scale and zero broadcast against <paramref name="weights"/>.</summary>
    public static Tensor Levels(Tensor weights, Tensor scale, Tensor zero, QuantScheme scheme)
    {
        using var scope = NewDisposeScope();
        var (lo, hi) = scheme.Symmetric
            ? (scheme.SymmetricZero - scheme.SymmetricMax, scheme.SymmetricZero + scheme.SymmetricMax)
            : (0, scheme.MaxLevel);
        return ((weights / scale).round() + zero).clamp(lo, hi).MoveToOuterDisposeScope();
    }

    /// <summary>The value a level stands for, <c>(u − z) · s</c>.</summary>
    public static Tensor Values(Tensor levels, Tensor scale, Tensor zero) => (levels - zero) * scale;

    /// <summary>Round-to-nearest in one call: the weights snapped to the grid (float), the "fake-quantized" weights.</summary>
    public static Tensor Snap(Tensor weights, Tensor scale, Tensor zero, QuantScheme scheme)
    {
        using var scope = NewDisposeScope();
        return Values(Levels(weights, scale, zero, scheme), scale, zero).MoveToOuterDisposeScope();
    }

    // Nudging up by 2^-10 (float16's largest relative spacing) before rounding to nearest guarantees a result >= scale.
    private static Tensor RoundToHalf(Tensor scale) =>
        (scale.clamp_min(MinScale) * (1 + 1.0 / 1024)).to(ScalarType.Float16).to(ScalarType.Float32);
}
