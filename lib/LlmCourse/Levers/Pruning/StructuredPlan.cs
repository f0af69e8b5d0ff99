using LlmCourse.Model;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// Which whole units structured pruning removes: per layer, the attention heads and the MLP neurons (hidden units)
/// to cut. Indices count within the layer as it is now (a pruned model's remaining heads are numbered 0, 1, ...).
/// </summary>
/// <param name="HeadsToRemove">Per layer, the heads to remove (may be empty).</param>
/// <param name="NeuronsToRemove">Per layer, the MLP hidden units to remove (may be empty).</param>
public sealed record StructuredPlan(IReadOnlyList<int[]> HeadsToRemove, IReadOnlyList<int[]> NeuronsToRemove)
{
    /// <summary>Removes nothing from a model with <paramref name="layers"/> layers.</summary>
    public static StructuredPlan None(int layers) =>
        new(Enumerable.Range(0, layers).Select(_ => Array.Empty<int>()).ToArray(), Enumerable.Range(0, layers).Select(_ => Array.Empty<int>()).ToArray());

    /// <summary>
    /// In every layer, removes the round(fraction × count) heads and neurons with the lowest scores. The same share in
    /// every layer keeps the layers alike; the scores pick which units within a layer go.
    /// </summary>
    /// <param name="importance">Scores from <see cref="UnitImportance.Measure"/> (or any scores of the same shape; higher = keep).</param>
    /// <param name="headFraction">Share of each layer's heads to remove, in [0, 1).</param>
    /// <param name="neuronFraction">Share of each layer's neurons to remove, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The rounding would remove every head (or neuron) of a layer.</exception>
    public static StructuredPlan Lowest(UnitImportance importance, double headFraction = 0, double neuronFraction = 0)
    {
        MagnitudePruning.CheckSparsity(headFraction, "head fraction");
        MagnitudePruning.CheckSparsity(neuronFraction, "neuron fraction");
        return new StructuredPlan(
            importance.Heads.Select((scores, l) => LowestOf(scores, headFraction, $"layer {l}", "heads")).ToArray(),
            importance.Neurons.Select((scores, l) => LowestOf(scores, neuronFraction, $"layer {l}", "neurons")).ToArray());
    }

    private static int[] LowestOf(double[] scores, double fraction, string where, string what)
    {
        var count = (int)MagnitudePruning.PrunedCountFor(scores.Length, fraction);
        if (count >= scores.Length)
            throw new ArgumentException(
                $"Removing {fraction:P0} of the {scores.Length} {what} of {where} rounds to all {scores.Length}: the layer would have none left. " +
                $"Use a fraction below {(scores.Length - 0.5) / scores.Length:0.###}.");
        // Stable order: equal scores go in index order, so the plan is the same on every run.
        return scores.Select((s, i) => (s, i)).OrderBy(p => p.s).ThenBy(p => p.i).Take(count).Select(p => p.i).Order().ToArray();
    }

    /// <summary>Heads removed in all layers.</summary>
    public int HeadCount => HeadsToRemove.Sum(h => h.Length);

    /// <summary>Neurons removed in all layers.</summary>
    public int NeuronCount => NeuronsToRemove.Sum(n => n.Length);

    /// <summary>Throws unless the plan fits <paramref name="config"/> and leaves every layer at least one head and one neuron.</summary>
    /// <exception cref="ArgumentException">Wrong number of layers, an index out of range or repeated, or a layer emptied.</exception>
    public void Check(GptConfig config)
    {
        if (HeadsToRemove.Count != config.Layers || NeuronsToRemove.Count != config.Layers)
            throw new ArgumentException(
                $"The plan lists heads for {HeadsToRemove.Count} and neurons for {NeuronsToRemove.Count} layers, but the model has {config.Layers}: " +
                "give one (possibly empty) list per layer, e.g. from StructuredPlan.None(layers).");
        for (var l = 0; l < config.Layers; l++)
        {
            CheckLayer(HeadsToRemove[l], config.HeadsAt(l), l, "heads", "its attention would have no head left to read the context with");
            CheckLayer(NeuronsToRemove[l], config.MlpWidthAt(l), l, "neurons", "its MLP would have no hidden unit");
        }
    }

    private static void CheckLayer(int[] remove, int count, int layer, string what, string consequence)
    {
        var outside = remove.Where(i => i < 0 || i >= count).ToList();
        if (outside.Count > 0)
            throw new ArgumentException($"Layer {layer} has {what} 0..{count - 1}; the plan removes {string.Join(", ", outside)}. Indices count within the layer as it is now.");
        if (remove.Distinct().Count() != remove.Length)
            throw new ArgumentException($"The plan lists one of layer {layer}'s {what} twice ({string.Join(", ", remove)}); list each once.");
        if (remove.Length >= count)
            throw new ArgumentException(
                $"The plan removes all {count} {what} of layer {layer}: {consequence}. Keep at least one (remove at most {count - 1}).");
    }

    /// <summary>One line, e.g. "remove 12 heads (2, 2, 2, 2, 2, 2 per layer), 0 neurons".</summary>
    public override string ToString() =>
        $"remove {HeadCount} heads ({string.Join(", ", HeadsToRemove.Select(h => h.Length))} per layer), " +
        $"{NeuronCount:N0} neurons ({string.Join(", ", NeuronsToRemove.Select(n => n.Length))} per layer)";
}
