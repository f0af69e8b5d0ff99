using LlmCourse.IO;
using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Pretrained;

/// <summary>
/// What a GPT-2 safetensors file holds, checked against GPT-2's layout before a single weight is read: the
/// configuration read from the tensor shapes (and config.json), and for every expected tensor the file's own name
/// (with or without the <c>transformer.</c> prefix). Every missing, unexpected or misshapen tensor is reported by name.
/// </summary>
internal sealed class Gpt2FilePlan
{
    private static readonly string[] FloatingTypes = ["F32", "F16", "BF16", "F64"];

    private Gpt2FilePlan(GptConfig config, IReadOnlyList<(Gpt2TensorMap Map, SafetensorsEntry Entry)> tensors, IReadOnlyList<string> ignored)
    {
        Config = config;
        Tensors = tensors;
        Ignored = ignored;
    }

    /// <summary>The model the file describes.</summary>
    public GptConfig Config { get; }

    /// <summary>Each expected tensor with the file entry that holds it, in GPT-2's order.</summary>
    public IReadOnlyList<(Gpt2TensorMap Map, SafetensorsEntry Entry)> Tensors { get; }

    /// <summary>File tensors deliberately not read: attention-mask buffers, a tied head's duplicate.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Reads the configuration from <paramref name="file"/>'s header (and <paramref name="json"/>) and checks every tensor.</summary>
    /// <exception cref="Gpt2LayoutException">Anything does not fit; every problem is listed by tensor name.</exception>
    public static Gpt2FilePlan Create(SafetensorsReader file, Gpt2JsonConfig? json, string? jsonPath)
    {
        var configProblems = new List<string>();
        var byName = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (var entry in file.Entries)
        {
            var name = Gpt2Layout.Normalize(entry.Name);
            if (!byName.TryAdd(name, entry))
                configProblems.Add($"'{byName[name].Name}' and '{entry.Name}' are the same GPT-2 tensor twice (with and without the '{Gpt2Layout.Prefix}' prefix). Keep one.");
        }

        var config = InferConfig(byName, json, jsonPath ?? "config.json", configProblems);
        var maps = Gpt2Layout.For(config);
        var missing = new List<string>();
        var mismatched = new List<string>();
        var tensors = new List<(Gpt2TensorMap, SafetensorsEntry)>();
        foreach (var map in maps)
        {
            if (!byName.TryGetValue(map.FileName, out var entry))
            {
                missing.Add($"{map.FileName} {map.ShapeText}");
                continue;
            }
            if (!entry.Shape.SequenceEqual(map.FileShape))
                mismatched.Add($"{entry.Name} is {entry.ShapeText} in the file, but a GPT-2 with {Describe(config)} needs {map.ShapeText}" +
                               (map.Placement is Gpt2Placement.Transposed or Gpt2Placement.FusedQkvWeight ? " (Conv1D: [in, out])." : "."));
            else if (!FloatingTypes.Contains(entry.DType))
                mismatched.Add($"{entry.Name} holds {entry.DType}, but weights must be floating point ({string.Join(", ", FloatingTypes)}). " +
                               "Quantized files cannot be loaded here: load the float checkpoint and quantize with the course's levers.");
            else
                tensors.Add((map, entry));
        }

        var expected = maps.Select(m => m.FileName).ToHashSet(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var ignored = new List<string>();
        foreach (var (name, entry) in byName.OrderBy(p => p.Value.Begin))
        {
            if (expected.Contains(name))
                continue;
            if (Gpt2Layout.IsMaskBuffer(name))
                ignored.Add(entry.Name);
            else if (name == Gpt2Layout.Head && config.TiedHead && entry.Shape.SequenceEqual(new long[] { config.VocabSize, config.Width }))
                ignored.Add(entry.Name); // the tied head's copy of wte; Hugging Face ignores it too when tie_word_embeddings is true
            else
                unexpected.Add($"{entry.Name} {entry.ShapeText}");
        }

        if (configProblems.Count + missing.Count + unexpected.Count + mismatched.Count > 0)
            throw new Gpt2LayoutException(file.Path, missing, unexpected, mismatched, configProblems);
        return new Gpt2FilePlan(config, tensors, ignored);
    }

    private static string Describe(GptConfig c) =>
        $"vocab {c.VocabSize}, width {c.Width}, context {c.ContextLength}, MLP width {c.MlpWidthAt(0)}";

    /// <summary>
    /// The configuration: vocabulary and width from wte, context from wpe, layers from the highest h.N, MLP width from
    /// h.0.mlp.c_fc, heads from config.json or GPT-2's rule (head size 64). Anything config.json states must agree.
    /// Problems are collected (the caller throws); a best guess is returned so the tensor check can still name names.
    /// </summary>
    private static GptConfig InferConfig(Dictionary<string, SafetensorsEntry> byName, Gpt2JsonConfig? json, string jsonPath, List<string> problems)
    {
        long? Dim(string name, int rank, int axis)
        {
            if (!byName.TryGetValue(name, out var entry))
                return null;
            if (entry.Shape.Length != rank)
            {
                problems.Add($"{entry.Name} has shape {entry.ShapeText}; GPT-2 stores it with {rank} dimension(s). The file is not a GPT-2 checkpoint.");
                return null;
            }
            return entry.Shape[axis];
        }

        void Agree(string field, int? stated, long? found, string source)
        {
            if (stated is { } s && found is { } f && s != f)
                problems.Add($"{jsonPath} says {field} = {s}, but {source} = {f}. The config.json belongs to another model: remove it or put the matching one beside the weights.");
        }

        var vocab = Dim(Gpt2Layout.TokenEmbedding, 2, 0);
        var width = Dim(Gpt2Layout.TokenEmbedding, 2, 1);
        var context = Dim(Gpt2Layout.PositionEmbedding, 2, 0);
        var hidden = Dim("h.0.mlp.c_fc.weight", 2, 1);
        var fileLayers = byName.Keys.Select(Gpt2Layout.LayerOf).Max() is { } top ? top + 1 : 0;
        Agree("vocab_size", json?.VocabSize, vocab, "wte.weight's first dimension");
        Agree("n_embd", json?.Width, width, "wte.weight's second dimension");
        Agree("n_positions", json?.ContextLength, context, "wpe.weight's first dimension");
        Agree("n_inner", json?.MlpWidth, hidden, "h.0.mlp.c_fc.weight's second dimension");

        var w = (int)(width ?? json?.Width ?? 768);
        // The larger of the two layer counts, so blocks missing from the file are reported by name.
        var layers = Math.Max(fileLayers, json?.Layers ?? 0);
        if (layers == 0)
            problems.Add("the file has no transformer blocks (no tensor named h.0.…). It is not a GPT-2 checkpoint.");
        int heads;
        if (json?.Heads is { } stated)
            heads = stated;
        else if (w % 64 == 0)
            heads = w / 64; // every GPT-2 size (124M … 1.5B) uses heads of 64
        else
        {
            heads = 1;
            problems.Add($"the width is {w}, not a multiple of 64, so GPT-2's rule (heads of 64) cannot give the number of heads. " +
                         $"Put a config.json with \"n_head\" beside the file.");
        }
        GeluApproximation gelu;
        try
        {
            gelu = json?.Gelu(jsonPath) ?? GeluApproximation.Tanh;
        }
        catch (InvalidDataException e)
        {
            gelu = GeluApproximation.Tanh;
            problems.Add(e.Message);
        }

        var config = new GptConfig
        {
            VocabSize = (int)(vocab ?? json?.VocabSize ?? 50_257),
            ContextLength = (int)(context ?? json?.ContextLength ?? 1024),
            Layers = Math.Max(layers, 1),
            Heads = heads,
            Width = w,
            MlpWidth = hidden is { } h && h != 4 * w ? (int)h : json?.MlpWidth is { } n && n != 4 * w ? n : null,
            Positions = PositionKind.Learned,
            Norm = NormKind.LayerNorm,
            Mlp = MlpKind.Gelu,
            Gelu = gelu,
            Bias = true,
            TiedHead = json?.TiedHead ?? true,
            NormEpsilon = json?.NormEpsilon ?? 1e-5,
        };
        var invalid = config.Problems();
        if (invalid.Count > 0)
        {
            problems.AddRange(invalid.Select(p => "the configuration read from the file is invalid: " + p));
            config = config with { Heads = 1, MlpWidth = config.MlpWidth is > 0 ? config.MlpWidth : null, NormEpsilon = 1e-5 };
        }
        return config;
    }
}
