using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>How much one layer's output moved when its weight was replaced, on the probe's calibration inputs.</summary>
/// <param name="Name">The layer's qualified name.</param>
/// <param name="Relative">Output error relative to the output itself, <c>E‖x·(W − Ŵ)ᵀ‖² / E‖x·Wᵀ‖²</c>:
/// 0.01 means the error carries 1 % of the output's power (a signal-to-noise ratio of 20 dB).</param>
public sealed record LayerError(string Name, double Relative)
{
    /// <summary>The same as a signal-to-noise ratio in decibels, <c>−10·log10(Relative)</c>; infinite for an exact copy.</summary>
    public double SignalToNoiseDb => -10 * Math.Log10(Relative);
}

/// <summary>
/// A yardstick for comparing quantization schemes layer by layer: it records the inputs of every Linear of a float
/// model in one calibration pass (their Gram matrix, as GPTQ does) and keeps a copy of the float weights. Any copy of
/// the model whose layers were swapped for <see cref="QuantizedLinear"/> (RTN, GPTQ, AWQ, any scheme) is then scored
/// on the same inputs, so the numbers are comparable across schemes, which the per-method reports are not (GPTQ and
/// AWQ calibrate each layer on the outputs of the already-quantized layers before it).
/// </summary>
public sealed class LayerErrorProbe : IDisposable
{
    private readonly List<(string Name, Tensor Weight, CalibrationStats Stats)> layers;

    private LayerErrorProbe(List<(string, Tensor, CalibrationStats)> layers) => this.layers = layers;

    /// <summary>The probed layers, in <c>named_modules()</c> order.</summary>
    public IReadOnlyList<string> Names => layers.Select(l => l.Name).ToList();

    /// <summary>
    /// Records the inputs of every Linear of <paramref name="model"/> (or those matching <paramref name="pattern"/>)
    /// while <paramref name="calibrate"/> runs the model on a few batches (in eval mode, without gradients), then puts
    /// the layers back unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">No Linear matched, or the pattern matched a non-Linear module.</exception>
    public static LayerErrorProbe Record(nn.Module model, Action calibrate, string? pattern = null)
    {
        var targets = LinearTargets.Find(model, pattern, "The layer error probe");
        foreach (var (name, _) in targets) ModuleSurgery.EnsureReplaceable(model, name, typeof(ActivationRecorder));
        var recorders = new List<(string Name, Linear Layer, ActivationRecorder Recorder)>();
        var wasTraining = model.training;
        try
        {
            foreach (var (name, layer) in targets)
            {
                var recorder = new ActivationRecorder(layer, layer.in_features, maxSampleRows: 0);
                ModuleSurgery.Replace(model, name, recorder);
                recorders.Add((name, layer, recorder));
            }
            model.eval();
            using var _ = no_grad();
            calibrate();
        }
        finally
        {
            foreach (var (name, layer, _) in recorders) ModuleSurgery.Replace(model, name, layer);
            model.train(wasTraining);
        }
        return new LayerErrorProbe(recorders.Select(r =>
            (r.Name, r.Layer.weight!.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope(), r.Recorder.Stats)).ToList());
    }

    /// <summary>
    /// Each probed layer's relative output error in <paramref name="candidate"/>, a copy of the recorded model in
    /// which some layers may be <see cref="QuantizedLinear"/> (scored by the weight they compute with, AWQ's input
    /// scale folded in) and others still float Linears (error 0 when unchanged).
    /// </summary>
    /// <exception cref="ArgumentException">A probed layer is missing from <paramref name="candidate"/>, has another
    /// shape, or is a module the probe cannot read a weight from.</exception>
    public IReadOnlyList<LayerError> Measure(nn.Module candidate)
    {
        var errors = new List<LayerError>();
        foreach (var (name, weight, stats) in layers)
        {
            using var scope = NewDisposeScope();
            var module = ModuleSurgery.Get(candidate, name);
            var effective = module switch
            {
                QuantizedLinear q => q.EffectiveWeight(),
                Linear l => l.weight!.detach(),
                LoraLinear lora => lora.Merged ? lora.Weight.detach() : lora.Weight.detach() + lora.DeltaWeight(),
                _ => throw new ArgumentException($"Layer '{name}' of the candidate is a {module.GetType().Name}; the probe reads Linear, " +
                                                 "QuantizedLinear and LoraLinear layers. Measure a copy of the model the probe was recorded on."),
            };
            if (!effective.shape.SequenceEqual(weight.shape))
                throw new ArgumentException($"Layer '{name}' is [{string.Join(", ", effective.shape)}] in the candidate but was " +
                                            $"[{string.Join(", ", weight.shape)}] when recorded: measure a copy of the same architecture.");
            var hessian = stats.Hessian();
            var signal = Gptq.OutputError(weight, zeros_like(weight), hessian);
            errors.Add(new LayerError(name, Gptq.OutputError(weight, effective, hessian) / signal));
        }
        return errors;
    }

    /// <summary>Frees the recorded statistics and weight copies.</summary>
    public void Dispose()
    {
        foreach (var (_, weight, stats) in layers)
        {
            weight.Dispose();
            stats.Dispose();
        }
    }
}
