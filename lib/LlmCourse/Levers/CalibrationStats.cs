using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// What a layer saw during calibration: the running sum of <c>xᵀx</c> over its input rows (for GPTQ's Hessian), the
/// mean |x| per input channel (AWQ's saliency) and the first rows themselves (AWQ's error check). Float64 sums, so
/// thousands of rows accumulate without drift.
/// </summary>
public sealed class CalibrationStats : IDisposable
{
    private readonly Tensor gram;    // Σ xᵀx, (in × in), float64
    private readonly Tensor absSum;  // Σ |x| per channel, (in), float64
    private readonly List<Tensor> samples = [];
    private long sampled;

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>How many input rows (tokens) were seen.</summary>
    public long Rows { get; private set; }

    /// <summary>At most this many rows are kept verbatim (the first ones seen).</summary>
    public int MaxSampleRows { get; }

    /// <summary>Empty statistics for a layer with <paramref name="inFeatures"/> inputs.</summary>
    public CalibrationStats(long inFeatures, int maxSampleRows = 2048)
    {
        (InFeatures, MaxSampleRows) = (inFeatures, maxSampleRows);
        gram = zeros(inFeatures, inFeatures, dtype: ScalarType.Float64).DetachFromDisposeScope();
        absSum = zeros(inFeatures, dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>Adds a batch of inputs of shape (..., in).</summary>
    public void Add(Tensor input)
    {
        if (input.shape[^1] != InFeatures)
            throw new ArgumentException($"Calibration input has {input.shape[^1]} features, the layer expects {InFeatures}.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = input.detach().reshape(-1, InFeatures);
        var x64 = x.to(ScalarType.Float64);
        gram.add_(x64.t().mm(x64));
        absSum.add_(x64.abs().sum(dim: 0));
        Rows += x.shape[0];
        if (sampled < MaxSampleRows)
        {
            var take = Math.Min(MaxSampleRows - sampled, x.shape[0]);
            samples.Add(x.narrow(0, 0, take).to(ScalarType.Float32).clone().DetachFromDisposeScope());
            sampled += take;
        }
    }

    /// <summary>GPTQ's Hessian of the layer's squared output error, <c>H = 2/n · Σ xᵀx</c> (in × in, float64).</summary>
    public Tensor Hessian()
    {
        RequireRows();
        return gram * (2.0 / Rows);
    }

    /// <summary>Mean |x| per input channel (in, float32): how strongly each input drives the layer.</summary>
    public Tensor MeanAbs()
    {
        RequireRows();
        using var scope = NewDisposeScope();
        return (absSum / Rows).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The kept input rows, (rows × in, float32).</summary>
    public Tensor SampleInputs()
    {
        RequireRows();
        return cat(samples, 0);
    }

    private void RequireRows()
    {
        if (Rows == 0)
            throw new InvalidOperationException("No calibration data reached this layer: the calibration action must run the model's forward on a few batches.");
    }

    /// <summary>Frees the accumulated tensors.</summary>
    public void Dispose()
    {
        gram.Dispose();
        absSum.Dispose();
        foreach (var s in samples) s.Dispose();
    }
}
