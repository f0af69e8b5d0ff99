using System.Globalization;
using LlmCourse.IO;
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
    /// <exception cref="InvalidDataException">The file lacks a tensor a layer needs.</exception>
    public static IReadOnlyList<string> Load(nn.Module model, string path)
    {
        using var file = SafetensorsReader.Open(path);
        var tensors = file.ReadAll();
        var metadata = file.Metadata;
        foreach (var (name, description) in metadata)
        {
            var parts = description.Split(' ', 'x');
            var scheme = QuantScheme.Parse(parts[0]);
            var (outFeatures, inFeatures) = (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            Tensor Need(string key) => tensors.GetValueOrDefault($"{name}.{key}")
                ?? throw new InvalidDataException($"'{path}' lacks '{name}.{key}': the file is incomplete; save it again with QuantizedCheckpoint.Save.");
            var weight = new QuantizedTensor(Need("weight_codes"), Need("weight_scales"),
                scheme.Symmetric ? null : Need("weight_zeros"), scheme, outFeatures, inFeatures);
            using var bias = tensors.GetValueOrDefault($"{name}.bias");
            using var inputScale = tensors.GetValueOrDefault($"{name}.input_scale");
            var layer = new QuantizedLinear(weight, bias, inputScale); // copies bias and input scale, owns the rest
            ModuleSurgery.Replace(model, name, layer).Dispose();
        }
        return metadata.Keys.ToList();
    }
}
