using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>How well one layer was quantized, measured on its calibration inputs.</summary>
/// <param name="Name">The layer's qualified name.</param>
/// <param name="RoundToNearestError">Mean squared output error round-to-nearest would have had (same scheme).</param>
/// <param name="Error">Mean squared output error of the method's weights.</param>
/// <param name="Alpha">AWQ's chosen exponent; null for GPTQ.</param>
public sealed record LayerQuantReport(string Name, double RoundToNearestError, double Error, double? Alpha = null)
{
    /// <summary>Error relative to round-to-nearest: 0.3 means 70 % lower.</summary>
    public double Ratio => Error / RoundToNearestError;
}

/// <summary>
/// GPTQ and AWQ on a whole model, layer by layer in <c>named_modules()</c> order: record the layer's inputs while the
/// calibration batches run, quantize it, put the <see cref="QuantizedLinear"/> in its place, go on. Later layers are
/// calibrated on the outputs of the already-quantized earlier ones, so each can compensate what came before (the
/// paper's sequential scheme). Costs one calibration pass per layer.
/// </summary>
public static class CalibratedQuantizer
{
    /// <summary>
    /// GPTQ-quantizes every Linear of <paramref name="model"/> (or those matching <paramref name="pattern"/>).
    /// <paramref name="calibrate"/> runs the model's forward on a few batches of real text, e.g.
    /// <c>() => { foreach (var batch in batches) model.forward(batch); }</c>; it is called in eval mode without gradients.
    /// </summary>
    public static IReadOnlyList<LayerQuantReport> ApplyGptq(nn.Module model, QuantScheme scheme, Action calibrate, string? pattern = null, GptqOptions? options = null) =>
        Run(model, scheme, pattern, calibrate, "GPTQ", maxSampleRows: 0, (name, layer, stats) =>
        {
            using var hessian = stats.Hessian();
            var quantized = new QuantizedLinear(Gptq.Quantize(layer.weight!, hessian, scheme, options), layer.bias);
            return (quantized, null);
        });

    /// <summary>
    /// AWQ-quantizes every Linear of <paramref name="model"/> (or those matching <paramref name="pattern"/>), searching
    /// each layer's α on up to <paramref name="maxSampleRows"/> of its calibration input rows. See <see cref="ApplyGptq"/> for <paramref name="calibrate"/>.
    /// </summary>
    public static IReadOnlyList<LayerQuantReport> ApplyAwq(nn.Module model, QuantScheme scheme, Action calibrate, string? pattern = null,
                                                           AwqOptions? options = null, int maxSampleRows = 2048) =>
        Run(model, scheme, pattern, calibrate, "AWQ", maxSampleRows, (name, layer, stats) =>
        {
            using var scope = NewDisposeScope();
            var result = Awq.Quantize(layer.weight!, stats.MeanAbs(), stats.SampleInputs(), scheme, options);
            return (new QuantizedLinear(result.Weight, layer.bias, result.InputScale), result.Alpha);
        });

    private static IReadOnlyList<LayerQuantReport> Run(nn.Module model, QuantScheme scheme, string? pattern, Action calibrate, string lever, int maxSampleRows,
                                                       Func<string, Linear, CalibrationStats, (QuantizedLinear Layer, double? Alpha)> quantize)
    {
        var targets = LinearTargets.Find(model, pattern, lever);
        foreach (var (name, layer) in targets) // fail before changing anything
        {
            try { scheme.Validate(layer.out_features, layer.in_features); }
            catch (ArgumentException e) { throw new ArgumentException($"{lever}: layer '{name}' ({layer.in_features} → {layer.out_features}): {e.Message}", e); }
            if (scheme.Granularity == QuantGranularity.PerTensor && lever == "GPTQ")
                throw new ArgumentException("GPTQ needs per-channel or grouped scales: use QuantScheme.Int8PerChannel() or Int4Grouped(...).");
            ModuleSurgery.EnsureReplaceable(model, name, typeof(QuantizedLinear));
        }
        var reports = new List<LayerQuantReport>();
        foreach (var (name, layer) in targets)
        {
            using var stats = ActivationRecorder.Capture(model, name, layer.in_features, calibrate, maxSampleRows);
            var (quantized, alpha) = quantize(name, layer, stats);
            using (var scope = NewDisposeScope())
            {
                var hessian = stats.Hessian();
                using var rtn = QuantizedTensor.Quantize(layer.weight!, scheme);
                reports.Add(new LayerQuantReport(name,
                    Gptq.OutputError(layer.weight!, rtn.Dequantize(), hessian),
                    Gptq.OutputError(layer.weight!, quantized.EffectiveWeight(), hessian), alpha));
            }
            ModuleSurgery.Replace(model, name, quantized);
            layer.Dispose();
        }
        return reports;
    }
}
