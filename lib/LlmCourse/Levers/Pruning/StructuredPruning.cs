using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// Structured pruning: removes whole attention heads and MLP neurons, building a smaller model whose matrices have
/// fewer rows and columns. Unlike unstructured zeros this is a real saving on any hardware: fewer parameters, fewer
/// FLOPs, a faster forward pass.
/// </summary>
/// <remarks>
/// <para>What is cut, per layer: a head is headDim rows of q_proj, k_proj and v_proj (and their biases) and the same
/// headDim columns of o_proj; a neuron is one row of up_proj (and gate_proj for SwiGLU) and one column of down_proj.
/// The new model's config records the counts (<see cref="GptConfig.HeadsPerLayer"/>,
/// <see cref="GptConfig.MlpWidthPerLayer"/>), so it saves and loads like any checkpoint.</para>
/// <para>The result computes exactly what the original computes with those heads' and neurons' outputs set to
/// zero. Biases added after the cut (o_proj's, down_proj's) stay, as they do in the original.</para>
/// </remarks>
public static class StructuredPruning
{
    /// <summary>A new, smaller model: <paramref name="model"/> without the units of <paramref name="plan"/>. The original is not changed.</summary>
    /// <exception cref="ArgumentException">The plan does not fit the model (see <see cref="StructuredPlan.Check"/>),
    /// the model is a Mixture of Experts and the plan removes neurons, or its layers were wrapped (LoRA, quantization).</exception>
    public static GptModel Apply(GptModel model, StructuredPlan plan)
    {
        var config = model.Config;
        plan.Check(config);
        if (config.IsMixtureOfExperts && plan.NeuronCount > 0)
            throw new ArgumentException("Neuron pruning needs a dense MLP; this model is a Mixture of Experts. Remove heads only, or prune whole experts.", nameof(plan));

        var heads = Enumerable.Range(0, config.Layers).Select(l => config.HeadsAt(l) - plan.HeadsToRemove[l].Length).ToArray();
        var hidden = Enumerable.Range(0, config.Layers).Select(l => config.MlpWidthAt(l) - plan.NeuronsToRemove[l].Length).ToArray();
        var smaller = config with
        {
            HeadsPerLayer = heads.All(h => h == config.Heads) ? null : heads,
            MlpWidthPerLayer = hidden.All(h => h == config.HiddenWidth) ? null : hidden,
        };

        // Built outside the dispose scope below, which would otherwise free the new model's parameters with the temporaries.
        var pruned = new GptModel(smaller, initialize: false);
        try
        {
            using var scope = NewDisposeScope();
            var weights = model.state_dict().ToDictionary(p => p.Key, p => Cut(p.Key, p.Value.detach(), plan, config));
            pruned.LoadWeights(weights);
        }
        catch (ArgumentException e)
        {
            pruned.Dispose();
            throw new ArgumentException($"The model's layers are not the plain ones structured pruning slices ({e.Message}) Merge LoRA adapters first, and prune before quantizing.", nameof(model), e);
        }
        pruned.train(model.training);
        return pruned;
    }

    /// <summary>The tensor <paramref name="name"/> with the plan's rows or columns taken out (or unchanged).</summary>
    private static Tensor Cut(string name, Tensor tensor, StructuredPlan plan, GptConfig config)
    {
        var parts = name.Split('.');
        if (parts is not ["blocks", var index, var module, var projection, var kind] || !int.TryParse(index, out var layer))
            return tensor;
        var isWeight = kind == "weight";
        return (module, projection) switch
        {
            ("attn", "q_proj" or "k_proj" or "v_proj") => KeepRows(tensor, HeadChannels(plan.HeadsToRemove[layer], config.HeadsAt(layer), config.HeadDim)),
            ("attn", "o_proj") when isWeight => KeepColumns(tensor, HeadChannels(plan.HeadsToRemove[layer], config.HeadsAt(layer), config.HeadDim)),
            ("mlp", "up_proj" or "gate_proj") => KeepRows(tensor, Kept(plan.NeuronsToRemove[layer], config.MlpWidthAt(layer))),
            ("mlp", "down_proj") when isWeight => KeepColumns(tensor, Kept(plan.NeuronsToRemove[layer], config.MlpWidthAt(layer))),
            _ => tensor,
        };
    }

    /// <summary>The channels (of heads × headDim) that belong to the heads kept.</summary>
    private static long[] HeadChannels(int[] removed, int heads, int headDim) =>
        Kept(removed, heads).SelectMany(h => Enumerable.Range((int)h * headDim, headDim).Select(c => (long)c)).ToArray();

    private static long[] Kept(int[] removed, int count) =>
        Enumerable.Range(0, count).Where(i => !removed.Contains(i)).Select(i => (long)i).ToArray();

    private static Tensor KeepRows(Tensor t, long[] rows) => t.index_select(0, tensor(rows));

    private static Tensor KeepColumns(Tensor t, long[] columns) => t.index_select(1, tensor(columns));

    /// <summary>
    /// The share of the block weights (every Linear inside the transformer blocks) that <paramref name="pruned"/> no
    /// longer has compared with <paramref name="original"/>: the common axis on which removed heads, removed neurons and
    /// unstructured zeros can be compared.
    /// </summary>
    public static double RemovedShare(GptModel original, GptModel pruned) => 1 - (double)BlockWeights(pruned) / BlockWeights(original);

    /// <summary>Weights in the Linear layers of the blocks (biases excluded).</summary>
    public static long BlockWeights(GptModel model) =>
        model.NamedLinears().Where(l => l.Path.StartsWith("blocks.", StringComparison.Ordinal)).Sum(l => l.Module.weight!.numel());
}
