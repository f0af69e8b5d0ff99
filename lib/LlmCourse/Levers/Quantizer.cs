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

    /// <summary>
    /// Simulated ("fake") quantization for exploring widths the packed storage does not offer (2, 3, 5, 6, 7 bits):
    /// every matching Linear keeps its float weight, but each weight is snapped to the round-to-nearest grid of
    /// <paramref name="scheme"/>, so the model computes exactly what a real <paramref name="scheme"/>-bit model would.
    /// Nothing shrinks. Returns the layer names.
    /// </summary>
    /// <exception cref="ArgumentException">Bits outside 2..8, a group size that does not divide a layer's width, or
    /// no Linear matched.</exception>
    public static IReadOnlyList<string> SimulateLinears(nn.Module model, QuantScheme scheme, string? pattern = null)
    {
        if (scheme.Bits is < 2 or > 8)
            throw new ArgumentException($"Simulated quantization takes 2 to 8 bits, got {scheme.Bits}: 1 bit leaves a symmetric grid with only the level 0.");
        var targets = LinearTargets.Find(model, pattern, "Simulated quantization");
        var packable = scheme with { Bits = 8 }; // the packed-storage checks minus the bit width (group size must divide)
        foreach (var (name, layer) in targets)
        {
            try { packable.Validate(layer.out_features, layer.in_features); }
            catch (ArgumentException e) { throw new ArgumentException($"Layer '{name}' ({layer.in_features} → {layer.out_features}): {e.Message}", e); }
        }
        using var _ = no_grad();
        foreach (var (_, layer) in targets)
        {
            using var scope = NewDisposeScope();
            var weight = layer.weight!;
            var grouped = QuantizedTensor.Grouped(weight.detach().to(ScalarType.Float32), scheme);
            var (scale, zero) = QuantGrid.Fit(grouped, scheme);
            var snapped = QuantGrid.Snap(grouped, scale.unsqueeze(-1), zero.unsqueeze(-1), scheme);
            weight.copy_(snapped.reshape(weight.shape));
        }
        return targets.Select(t => t.Name).ToList();
    }

    /// <summary>Total bytes stored by the model's quantized layers (codes, scales, zero-points, biases, input scales).</summary>
    public static long QuantizedBytes(nn.Module model) =>
        model.modules().OfType<QuantizedLinear>().Sum(q => q.StorageBytes);
}
