using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>Round-to-nearest (RTN) weight quantization of a whole model: the baseline GPTQ and AWQ improve on.</summary>
public static class Quantizer
{
    /// <summary>
    /// Replaces every Linear of <paramref name="model"/> (or those whose name matches <paramref name="pattern"/>) by a
    /// <see cref="QuantizedLinear"/> holding its round-to-nearest quantized weight. The float layers are disposed, so
    /// their memory is really given back. Returns the replaced layer names.
    /// </summary>
    /// <exception cref="ArgumentException">No Linear matched, the pattern matched a non-Linear module, or the scheme
    /// does not fit a layer (bits, group size).</exception>
    public static IReadOnlyList<string> QuantizeLinears(nn.Module model, QuantScheme scheme, string? pattern = null)
    {
        var targets = LinearTargets.Find(model, pattern, "Quantization");
        foreach (var (name, layer) in targets) // fail before changing anything
        {
            try { scheme.Validate(layer.out_features, layer.in_features); }
            catch (ArgumentException e) { throw new ArgumentException($"Layer '{name}' ({layer.in_features} → {layer.out_features}): {e.Message}", e); }
            ModuleSurgery.EnsureReplaceable(model, name, typeof(QuantizedLinear));
        }
        foreach (var (name, layer) in targets)
        {
            using var scope = NewDisposeScope();
            ModuleSurgery.Replace(model, name, QuantizedLinear.FromLinear(layer, scheme));
            layer.Dispose();
        }
        return targets.Select(t => t.Name).ToList();
    }

    /// <summary>Total bytes stored by the model's quantized layers (codes, scales, zero-points, biases, input scales).</summary>
    public static long QuantizedBytes(nn.Module model) =>
        model.modules().OfType<QuantizedLinear>().Sum(q => q.StorageBytes);
}
