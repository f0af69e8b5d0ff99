using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// A pass-through module that records what flows into the layer it wraps, then runs that layer unchanged. It is
/// swapped in where the layer was (<see cref="ModuleSurgery.Replace"/>) for the calibration pass and swapped out after.
/// </summary>
/// <remarks>TorchSharp forward hooks would do the same job but fire only when a model calls <c>.call()</c>, not
/// <c>.forward()</c>; a wrapper module works either way.</remarks>
public sealed class ActivationRecorder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;

    /// <summary>The statistics gathered so far.</summary>
    public CalibrationStats Stats { get; }

    /// <summary>Wraps <paramref name="inner"/>, whose inputs have <paramref name="inFeatures"/> features.</summary>
    public ActivationRecorder(nn.Module<Tensor, Tensor> inner, long inFeatures, int maxSampleRows = 2048) : base(nameof(ActivationRecorder))
    {
        this.inner = inner;
        Stats = new CalibrationStats(inFeatures, maxSampleRows);
        RegisterComponents();
    }

    /// <summary>The wrapped layer.</summary>
    public nn.Module<Tensor, Tensor> Inner => inner;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        Stats.Add(input);
        return inner.forward(input);
    }

    /// <summary>
    /// Records the inputs of the layer <paramref name="name"/> of <paramref name="model"/> while
    /// <paramref name="calibrate"/> runs (in eval mode, without gradients), then puts the layer back.
    /// </summary>
    public static CalibrationStats Capture(nn.Module model, string name, long inFeatures, Action calibrate, int maxSampleRows = 2048)
    {
        var layer = (nn.Module<Tensor, Tensor>)ModuleSurgery.Get(model, name);
        var recorder = new ActivationRecorder(layer, inFeatures, maxSampleRows);
        var wasTraining = model.training;
        ModuleSurgery.Replace(model, name, recorder);
        try
        {
            model.eval();
            using var _ = no_grad();
            calibrate();
        }
        finally
        {
            ModuleSurgery.Replace(model, name, layer);
            model.train(wasTraining);
        }
        return recorder.Stats;
    }
}
