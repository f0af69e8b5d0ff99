using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// How much each attention head and each MLP neuron matters, measured on calibration text: one score per unit,
/// <c>Heads[layer][head]</c> and <c>Neurons[layer][neuron]</c>. Structured pruning removes the lowest.
/// </summary>
/// <param name="Heads">Score of every head, per layer.</param>
/// <param name="Neurons">Score of every MLP hidden unit, per layer.</param>
/// <remarks>
/// <para>The score of <see cref="Measure"/>: <b>how much a unit writes into the residual stream</b>, the root mean
/// square over calibration tokens of the vector it adds. A neuron with activation a and output column w adds a·w, so
/// its score is RMS(a)·‖w‖: big activations through small weights, or the reverse, both score low. A head adds its
/// output o (headDim numbers) through its slice W of the output projection: the score is RMS‖W·o‖. Both come from the
/// same statistics, Σ xᵀx over the output projection's inputs, that GPTQ uses.</para>
/// <para>It is a proxy: writing a lot is not the same as mattering (a later norm may shrink it, or other units
/// cancel it). <see cref="HeadLossIncrease"/> measures what removing each head does to the loss instead: exact, but
/// one evaluation per head.</para>
/// </remarks>
public sealed record UnitImportance(double[][] Heads, double[][] Neurons)
{
    /// <summary>Measures the residual-write score of every head and neuron of <paramref name="model"/>.</summary>
    /// <param name="model">A dense-MLP GPT (not a Mixture of Experts).</param>
    /// <param name="calibrationIds">Token ids of calibration text, at least one window of the context length + 1.</param>
    /// <param name="maxWindows">Windows of the context length read from the start of the text.</param>
    /// <param name="batchSize">Windows per forward pass.</param>
    /// <exception cref="ArgumentException">Too little calibration text, or a Mixture-of-Experts model.</exception>
    public static UnitImportance Measure(GptModel model, IReadOnlyList<int> calibrationIds, int maxWindows = 16, int batchSize = 8)
    {
        if (model.Config.IsMixtureOfExperts)
            throw new ArgumentException("Unit importance needs a dense MLP; this model is a Mixture of Experts (prune whole experts instead).", nameof(model));
        var windows = CalibrationWindows(calibrationIds, model.Config.ContextLength, maxWindows);
        var layers = model.Config.Layers;
        var outputs = Enumerable.Range(0, layers).SelectMany(l => new[] { $"blocks.{l}.attn.o_proj", $"blocks.{l}.mlp.down_proj" }).ToList();
        var stats = CaptureInputs(model, outputs, () =>
        {
            foreach (var batch in windows.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                model.call(stack(batch.Select(w => w.Input).ToList()));
            }
        });
        try
        {
            var heads = new double[layers][];
            var neurons = new double[layers][];
            for (var l = 0; l < layers; l++)
            {
                var headDim = model.Config.HeadDim;
                heads[l] = WriteScores(WeightOf(model, outputs[2 * l]), stats[2 * l], groupSize: headDim);
                neurons[l] = WriteScores(WeightOf(model, outputs[2 * l + 1]), stats[2 * l + 1], groupSize: 1);
            }
            return new UnitImportance(heads, neurons);
        }
        finally
        {
            foreach (var s in stats) s.Dispose();
            foreach (var w in windows) { w.Input.Dispose(); w.Target.Dispose(); }
        }
    }

    /// <summary>
    /// The loss increase (nats per token) on calibration text when each head alone is switched off (its slice of the
    /// output projection zeroed, then restored). Negative: the model is better without it.
    /// </summary>
    /// <inheritdoc cref="Measure" path="/param"/>
    /// <exception cref="ArgumentException">Too little calibration text.</exception>
    public static double[][] HeadLossIncrease(GptModel model, IReadOnlyList<int> calibrationIds, int maxWindows = 8, int batchSize = 8)
    {
        var windows = CalibrationWindows(calibrationIds, model.Config.ContextLength, maxWindows);
        var headDim = model.Config.HeadDim;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            double Loss()
            {
                double total = 0;
                foreach (var batch in windows.Chunk(batchSize))
                {
                    using var scope = NewDisposeScope();
                    total += model.Loss(stack(batch.Select(w => w.Input).ToList()), stack(batch.Select(w => w.Target).ToList())).item<float>() * batch.Length;
                }
                return total / windows.Count;
            }
            var baseline = Loss();
            return Enumerable.Range(0, model.Config.Layers).Select(l =>
            {
                var output = WeightOf(model, $"blocks.{l}.attn.o_proj");
                return Enumerable.Range(0, model.Config.HeadsAt(l)).Select(h =>
                {
                    using var slice = output.narrow(1, h * headDim, headDim);
                    using var saved = slice.clone();
                    slice.zero_();
                    var loss = Loss();
                    slice.copy_(saved);
                    return loss - baseline;
                }).ToArray();
            }).ToArray();
        }
        finally
        {
            model.train(wasTraining);
            foreach (var w in windows) { w.Input.Dispose(); w.Target.Dispose(); }
        }
    }

    /// <summary>
    /// Score of each group of <paramref name="groupSize"/> input channels of an output projection with weight W
    /// [out, in]: sqrt(tr(W_g · G_gg · W_gᵀ) / n), the RMS norm of what the group adds to the output, from the Gram
    /// matrix G = Σ xᵀx of the inputs seen.
    /// </summary>
    private static double[] WriteScores(Tensor weight, CalibrationStats stats, int groupSize)
    {
        using var scope = NewDisposeScope();
        var gram = stats.Hessian() / 2; // Σ xᵀx / n
        var w = weight.detach().to(ScalarType.Float64);
        var groups = (int)(w.shape[1] / groupSize);
        var scores = new double[groups];
        for (var g = 0; g < groups; g++)
        {
            var wg = w.narrow(1, g * groupSize, groupSize);
            var gg = gram.narrow(0, g * groupSize, groupSize).narrow(1, g * groupSize, groupSize);
            scores[g] = Math.Sqrt(Math.Max(0, (wg.mm(gg) * wg).sum().item<double>()));
        }
        return scores;
    }

    private static Tensor WeightOf(GptModel model, string path) =>
        ModuleSurgery.Get(model, path) is TorchSharp.Modules.Linear linear
            ? linear.weight!
            : throw new ArgumentException($"'{path}' is not a plain Linear (LoRA or quantized?). Measure importance on the plain model: merge LoRA first, prune before quantizing.");

    /// <summary>Runs <paramref name="calibrate"/> in eval mode without gradients while recording the inputs of every layer in <paramref name="paths"/>.</summary>
    private static List<CalibrationStats> CaptureInputs(GptModel model, IReadOnlyList<string> paths, Action calibrate)
    {
        var originals = paths.Select(p => (nn.Module<Tensor, Tensor>)ModuleSurgery.Get(model, p)).ToList();
        var recorders = paths.Select((p, i) => new ActivationRecorder(originals[i], WeightOf(model, p).shape[1], maxSampleRows: 0)).ToList();
        var wasTraining = model.training;
        for (var i = 0; i < paths.Count; i++)
            model.ReplaceModule(paths[i], recorders[i]);
        try
        {
            model.eval();
            using var _ = no_grad();
            calibrate();
        }
        finally
        {
            for (var i = 0; i < paths.Count; i++)
                model.ReplaceModule(paths[i], originals[i]);
            model.train(wasTraining);
        }
        return recorders.Select(r => r.Stats).ToList();
    }

    /// <summary>Back-to-back windows (input, next-token target) from the start of the ids.</summary>
    internal static List<(Tensor Input, Tensor Target)> CalibrationWindows(IReadOnlyList<int> ids, int context, int maxWindows)
    {
        var available = (ids.Count - 1) / context;
        if (available < 1)
            throw new ArgumentException($"The calibration text has {ids.Count} tokens, fewer than one window of {context} + 1. Give a few thousand tokens of ordinary text.", nameof(ids));
        if (maxWindows < 1)
            throw new ArgumentOutOfRangeException(nameof(maxWindows), maxWindows, "Use at least 1 calibration window (16 is plenty for a small model).");
        return Enumerable.Range(0, Math.Min(available, maxWindows)).Select(i =>
        {
            var window = ids.Skip(i * context).Take(context + 1).Select(t => (long)t).ToArray();
            return (tensor(window[..^1]).DetachFromDisposeScope(), tensor(window[1..]).DetachFromDisposeScope());
        }).ToList();
    }
}
