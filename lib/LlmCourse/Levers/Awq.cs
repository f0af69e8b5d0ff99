using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>Knobs of AWQ's scale search.</summary>
/// <param name="GridPoints">α is tried at 0, 1/n, …, (n−1)/n; α = 0 is plain round-to-nearest, so the search can only help on the calibration rows.</param>
public sealed record AwqOptions(int GridPoints = 20);

/// <summary>The outcome of AWQ's search for one layer.</summary>
/// <param name="Weight">The quantized, scaled weight <c>Q(W · diag(s))</c>.</param>
/// <param name="InputScale">1/s per input channel: the layer computes <c>(x / s) · Q(W·s)ᵀ</c>.</param>
/// <param name="Alpha">The exponent that won.</param>
public sealed record AwqResult(QuantizedTensor Weight, Tensor InputScale, double Alpha);

/// <summary>
/// AWQ (Lin et al., 2023): a few input channels carry much larger activations than the rest, and the weights they
/// multiply matter most. Scaling those weight columns up by <c>s</c> before rounding (and the inputs down by
/// <c>1/s</c>) gives them a finer share of the grid; the product is unchanged in exact arithmetic. The scale per
/// input channel is <c>s = mean|x|^α</c>, with α searched on calibration data to minimise the layer's output error.
/// </summary>
/// <remarks>
/// <para>The original folds <c>1/s</c> into the operation before the layer (a LayerNorm's weight, or the previous
/// linear), which is free at inference but needs to know the model's wiring, and has to share one s among the layers
/// fed by the same norm (q, k, v). Here each layer gets its own s and keeps <c>1/s</c> as
/// <see cref="QuantizedLinear.InputScale"/>: one multiply of the input per forward and 4 bytes per input channel,
/// for any model. AWQ's second step, searching a clipping range per group, is left out.</para>
/// <para>s is normalised by <c>√(max(s)·min(s))</c> so it scales channels around 1 rather than drifting the whole layer.</para>
/// </remarks>
public static class Awq
{
    /// <summary>
    /// Searches α for <paramref name="weight"/> (out × in) given the mean |x| per input channel and some calibration
    /// input rows (rows × in), and returns the best scaled quantization.
    /// </summary>
    public static AwqResult Quantize(Tensor weight, Tensor meanAbs, Tensor samples, QuantScheme scheme, AwqOptions? options = null)
    {
        options ??= new AwqOptions();
        if (options.GridPoints < 1)
            throw new ArgumentException($"AWQ needs at least one grid point (got {options.GridPoints}); the paper uses 20.");
        var cols = weight.shape[1];
        if (meanAbs.shape.Length != 1 || meanAbs.shape[0] != cols || samples.shape[^1] != cols)
            throw new ArgumentException($"AWQ statistics must have {cols} input channels like the weight; got mean|x| [{string.Join(", ", meanAbs.shape)}], samples [{string.Join(", ", samples.shape)}].");
        scheme.Validate(weight.shape[0], cols);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var w = weight.detach().to(ScalarType.Float32);
        var x = samples.to(ScalarType.Float32);
        var reference = x.mm(w.t());
        var best = (Error: double.PositiveInfinity, Alpha: 0.0, Scale: (Tensor?)null);
        for (var i = 0; i < options.GridPoints; i++)
        {
            using var gridScope = NewDisposeScope();
            var alpha = (double)i / options.GridPoints;
            var s = ScalesFor(meanAbs, alpha);
            using var q = QuantizedTensor.Quantize(w * s, scheme);
            var effective = q.Dequantize() / s;
            var error = (x.mm(effective.t()) - reference).pow(2).mean().item<float>();
            if (error < best.Error)
            {
                best.Scale?.Dispose();
                best = (error, alpha, s.DetachFromDisposeScope());
            }
        }
        var scale = best.Scale!;
        var result = new AwqResult(QuantizedTensor.Quantize(w * scale, scheme), (1 / scale).MoveToOuterDisposeScope(), best.Alpha);
        scale.Dispose();
        result.Weight.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>AWQ's per-input-channel scale for exponent α: <c>mean|x|^α</c>, normalised to a geometric middle of 1.</summary>
    public static Tensor ScalesFor(Tensor meanAbs, double alpha)
    {
        using var scope = NewDisposeScope();
        var s = meanAbs.to(ScalarType.Float32).pow(alpha).clamp_min(1e-4);
        return (s / (s.max() * s.min()).sqrt()).MoveToOuterDisposeScope();
    }
}
