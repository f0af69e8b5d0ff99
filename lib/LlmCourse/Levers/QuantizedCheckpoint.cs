using System.Globalization;
using LlmCourse.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// Saves and loads the quantized layers of a model as a safetensors file: per layer its uint8 codes, float16
/// scales, uint8 zero-points (asymmetric only), float32 bias and AWQ input scale, named
/// <c>"{layer}.weight_codes"</c> and so on, with each layer's scheme and shape in the metadata. The file's size is
/// <see cref="Quantizer.QuantizedBytes"/> plus the header that <see cref="Save"/> returns (8-byte length + JSON):
/// nothing is padded or widened, so packed int4 takes half a byte per weight on disk too.
/// </summary>
/// <remarks>Only quantized layers are written; embeddings, norms and any float layers belong to the ordinary checkpoint.</remarks>
public static class QuantizedCheckpoint
{
    /// <summary>Writes every <see cref="QuantizedLinear"/> of <paramref name="model"/> to <paramref name="path"/> (atomically). Returns the header size in bytes.</summary>
    /// <exception cref="ArgumentException">The model has no quantized layers.</exception>
    public static long Save(nn.Module model, string path)
    {
        var layers = model.named_modules().Where(m => m.module is QuantizedLinear).Select(m => (m.name, (QuantizedLinear)m.module)).ToList();
        if (layers.Count == 0)
            throw new ArgumentException("The model has no quantized layers to save: run Quantizer.QuantizeLinears (or Gptq/Awq) first.", nameof(model));
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, layer) in layers)
        {
            tensors.AddRange(layer.named_buffers().Select(b => KeyValuePair.Create($"{name}.{b.name}", b.buffer)));
            metadata[name] = string.Create(CultureInfo.InvariantCulture, $"{layer.Scheme} {layer.OutFeatures}x{layer.InFeatures}");
        }
        SafetensorsWriter.Write(path, tensors, metadata);
        using var written = SafetensorsReader.Open(path);
        return written.Header.DataStart;
    }

    /// <summary>
    /// Reads <paramref name="path"/> and puts a <see cref="QuantizedLinear"/> at each saved layer name of
    /// <paramref name="model"/> (which has the same architecture; the layers there may be float Linears, which are
    /// disposed). Returns the layer names loaded.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a quantized checkpoint, lacks a tensor a layer needs, or
    /// names a layer the model does not have in that shape. Nothing is changed then, except when a tensor is missing.</exception>
    public static IReadOnlyList<string> Load(nn.Module model, string path)
    {
        using var file = SafetensorsReader.Open(path);
        var tensors = file.ReadAll();
        var metadata = file.Metadata;
        var plan = metadata.Select(entry => Describe(path, entry.Key, entry.Value)).ToList();
        if (plan.Count == 0)
            throw new InvalidDataException($"'{path}' describes no quantized layers: it is not a file written by QuantizedCheckpoint.Save.");
        foreach (var (name, _, outFeatures, inFeatures) in plan) // check everything before changing anything
        {
            var existing = ModuleSurgery.Get(model, name);
            var (o, i) = existing switch
            {
                Linear l => (l.out_features, l.in_features),
                QuantizedLinear q => (q.OutFeatures, q.InFeatures),
                _ => throw new InvalidDataException($"'{path}' holds layer '{name}', but the model has a {existing.GetType().Name} there: " +
                                                    "load it into the architecture it was saved from."),
            };
            if ((o, i) != (outFeatures, inFeatures))
                throw new InvalidDataException($"'{path}' holds '{name}' as {outFeatures}x{inFeatures} but the model's layer is {o}x{i}: " +
                                               "load it into the architecture it was saved from.");
        }
        foreach (var (name, scheme, outFeatures, inFeatures) in plan)
        {
            Tensor Need(string key) => tensors.GetValueOrDefault($"{name}.{key}")
                ?? throw new InvalidDataException($"'{path}' lacks '{name}.{key}': the file is incomplete; save it again with QuantizedCheckpoint.Save.");
            var weight = new QuantizedTensor(Need("weight_codes"), Need("weight_scales"),
                scheme.Symmetric ? null : Need("weight_zeros"), scheme, outFeatures, inFeatures);
            using var bias = tensors.GetValueOrDefault($"{name}.bias");
            using var inputScale = tensors.GetValueOrDefault($"{name}.input_scale");
            var layer = new QuantizedLinear(weight, bias, inputScale); // copies bias and input scale, owns the rest
            ModuleSurgery.Replace(model, name, layer).Dispose();
        }
        return plan.Select(p => p.Name).ToList();
    }

    /// <summary>Reads one metadata entry, <c>"int4-g64-sym 192x768"</c>, with an error that says what the file is not.</summary>
    private static (string Name, QuantScheme Scheme, long Out, long In) Describe(string path, string name, string description)
    {
        var parts = description.Split(' ', 'x');
        try
        {
            if (parts.Length == 3 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var outFeatures)
                                  && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var inFeatures))
                return (name, QuantScheme.Parse(parts[0]), outFeatures, inFeatures);
        }
        catch (FormatException) { }
        throw new InvalidDataException($"'{path}' is not a quantized checkpoint: its metadata entry '{name}' = '{description}' is not " +
                                       "'<scheme> <out>x<in>'. Load LoRA adapters with Lora.LoadAdapter and full models with GptCheckpoint.Load.");
    }
}
