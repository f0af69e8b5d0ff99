using LlmCourse.IO;
using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Pretrained;

/// <summary>
/// OpenAI's GPT-2 in the course's own <see cref="GptModel"/>: loads the published weights (Hugging Face's
/// <c>model.safetensors</c>) and saves a course model in the same layout, so Python tools can open it.
/// </summary>
/// <remarks>
/// <para>The code never downloads anything. To get the real 124M-parameter GPT-2 (548 MB), run once, from the
/// course folder: <c>curl -L --create-dirs -o data/gpt2/model.safetensors https://huggingface.co/openai-community/gpt2/resolve/main/model.safetensors</c>
/// (<see cref="DownloadCommand"/>; <c>data/gpt2/</c> is ignored by git). The bigger sizes (gpt2-medium, -large, -xl) load the
/// same way from their own folders.</para>
/// <para>The configuration comes from the file: vocabulary and width from <c>wte.weight</c>, context from
/// <c>wpe.weight</c>, layers from the highest <c>h.N</c>, MLP width from <c>h.0.mlp.c_fc.weight</c>; heads, LayerNorm ε,
/// the GELU formula and head tying from a <c>config.json</c> beside the file when there is one, else GPT-2's values
/// (heads of 64, ε = 1e-5, tanh GELU, tied head).</para>
/// <para>Loading streams one tensor at a time from the file into the model's parameters (no copy of the file in
/// managed memory); F16 and BF16 files become float32.</para>
/// </remarks>
public static class Gpt2Weights
{
    /// <summary>The weights' file name in a Hugging Face model folder.</summary>
    public const string FileName = "model.safetensors";

    /// <summary>Where the course expects the real GPT-2: <c>data/gpt2/</c>, ignored by git.</summary>
    public static string DefaultFolder => Path.Combine(Course.DataDir, "gpt2");

    /// <summary><c>data/gpt2/model.safetensors</c>.</summary>
    public static string DefaultFile => Path.Combine(DefaultFolder, FileName);

    /// <summary>The one command (run from the course folder) that fetches GPT-2 small's weights into <see cref="DefaultFolder"/>.</summary>
    public const string DownloadCommand =
        "curl -L --create-dirs -o data/gpt2/model.safetensors https://huggingface.co/openai-community/gpt2/resolve/main/model.safetensors";

    /// <summary>True when a weights file exists at <paramref name="path"/> (a file or a folder holding <see cref="FileName"/>; default <see cref="DefaultFile"/>).</summary>
    public static bool IsAvailable(string? path = null) => File.Exists(WeightsFile(path ?? DefaultFile));

    /// <summary>The configuration a file describes, read from its header (and config.json) without loading any weight.</summary>
    /// <param name="path">A <c>.safetensors</c> file or a folder holding <see cref="FileName"/>.</param>
    /// <exception cref="FileNotFoundException">No file there; the message gives the download command.</exception>
    /// <exception cref="Gpt2LayoutException">The file is not in GPT-2's layout; every problem is named.</exception>
    public static GptConfig ReadConfig(string path)
    {
        using var file = Open(path, out var plan);
        return plan.Config;
    }

    /// <summary>
    /// Builds a <see cref="GptModel"/> with the configuration the file describes and fills it with the file's
    /// weights, converted to float32. The model is in evaluation mode.
    /// </summary>
    /// <param name="path">A <c>.safetensors</c> file or a folder holding <see cref="FileName"/> (and optionally config.json).</param>
    /// <exception cref="FileNotFoundException">No file there; the message gives the download command.</exception>
    /// <exception cref="Gpt2LayoutException">Missing, unexpected or misshapen tensors, each named, before anything is loaded.</exception>
    /// <exception cref="SafetensorsFormatException">The file is corrupt or truncated.</exception>
    public static GptModel Load(string path)
    {
        using var file = Open(path, out var plan);
        GptModel model;
        // Every weight is about to be overwritten: skip zeroing 500 MB first (checked below: nothing is left unfilled).
        using (Layers.LeaveUninitialized())
            model = new GptModel(plan.Config, initialize: false);
        try
        {
            var parameters = model.state_dict();
            var unfilled = parameters.Keys.Except(plan.Tensors.SelectMany(t => t.Map.ModelNames)).ToList();
            if (unfilled.Count > 0)
                throw new InvalidOperationException($"The GPT-2 layout table does not fill {string.Join(", ", unfilled)}: a bug in Gpt2Layout, not in the file.");
            using var noGrad = torch.no_grad();
            using var staging = new StagingBuffers(plan.Tensors.Where(t => t.Map.Placement != Gpt2Placement.AsIs).Select(t => t.Entry));
            foreach (var (map, entry) in plan.Tensors)
                Place(file, entry, map, map.ModelNames.Select(n => parameters[n]).ToArray(), plan.Config.Width, staging);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Writes <paramref name="model"/> in GPT-2's layout: <c>model.safetensors</c> (Conv1D weights transposed to
    /// [in, out], q, k, v fused into <c>c_attn</c>, names as Hugging Face's <c>GPT2Model</c>, metadata format "pt") and a
    /// <c>config.json</c> beside it, so <c>GPT2LMHeadModel.from_pretrained(folder)</c> in Python opens it. Both writes are atomic.
    /// </summary>
    /// <param name="model">A model whose config GPT-2's layout can express (learned positions, LayerNorm, GELU, biases, dense MLP).</param>
    /// <param name="path">A folder (gets <c>model.safetensors</c> and <c>config.json</c>) or a <c>.safetensors</c> path (config.json goes beside it).</param>
    /// <param name="storeAs">Optional floating type for the file (<c>torch.bfloat16</c> or <c>torch.float16</c> halves it); default float32.</param>
    /// <exception cref="ArgumentException">The config is not a GPT-2 (the message lists each difference and its fix), or a
    /// module was replaced (LoRA, quantization) so a parameter is missing.</exception>
    public static void Save(GptModel model, string path, ScalarType? storeAs = null)
    {
        var maps = Gpt2Layout.For(model.Config);
        var file = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? path : Path.Combine(path, FileName);
        var parameters = model.state_dict();
        foreach (var name in maps.SelectMany(m => m.ModelNames))
            if (!parameters.ContainsKey(name))
                throw new ArgumentException(
                    $"The model has no parameter '{name}': a module was replaced (LoRA, quantization?). Merge the adapter or restore the float module before saving in GPT-2's layout.",
                    nameof(model));

        using var scope = torch.NewDisposeScope();
        var tensors = maps.Select(m => KeyValuePair.Create(m.FileName, ToFileOrientation(m, m.ModelNames.Select(n => parameters[n].detach()).ToArray()))).ToList();
        SafetensorsWriter.Write(file, tensors, new Dictionary<string, string> { ["format"] = "pt" }, storeAs);
        Gpt2JsonConfig.Write(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Gpt2JsonConfig.FileName), model.Config);
    }

    private static SafetensorsReader Open(string path, out Gpt2FilePlan plan)
    {
        var weights = WeightsFile(path);
        if (!File.Exists(weights))
            throw new FileNotFoundException(
                $"No GPT-2 weights at '{Path.GetFullPath(weights)}'. The course never downloads them itself; fetch GPT-2 small (548 MB) once, " +
                $"from the course folder, with:\n  {DownloadCommand}", weights);
        var jsonPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weights))!, Gpt2JsonConfig.FileName);
        var json = File.Exists(jsonPath) ? Gpt2JsonConfig.Read(jsonPath) : null;
        var file = SafetensorsReader.Open(weights);
        try
        {
            plan = Gpt2FilePlan.Create(file, json, json is null ? null : jsonPath);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static string WeightsFile(string path) => Directory.Exists(path) ? Path.Combine(path, FileName) : path;

    // Loading: file orientation → course parameters. Tensors that need no rearranging (embeddings, norms, biases) go
    // straight from the file into the parameter; the others pass through one reused staging buffer, then are copied
    // transposed (and split, for q|k|v) into place.
    private static void Place(SafetensorsReader file, SafetensorsEntry entry, Gpt2TensorMap map, Tensor[] targets, long width, StagingBuffers staging)
    {
        if (map.Placement == Gpt2Placement.AsIs)
        {
            file.ReadInto(entry.Name, targets[0]);
            return;
        }
        using var stored = staging.For(entry);
        file.ReadInto(entry.Name, stored);
        switch (map.Placement)
        {
            case Gpt2Placement.Transposed:
                using (var transposed = stored.t())
                    targets[0].copy_(transposed);
                break;
            case Gpt2Placement.FusedQkvWeight:
                for (var i = 0; i < 3; i++)
                {
                    using var slice = stored.narrow(1, i * width, width);
                    using var transposed = slice.t();
                    targets[i].copy_(transposed);
                }
                break;
            case Gpt2Placement.FusedQkvBias:
                for (var i = 0; i < 3; i++)
                {
                    using var slice = stored.narrow(0, i * width, width);
                    targets[i].copy_(slice);
                }
                break;
        }
    }

    /// <summary>
    /// One buffer per stored dtype, as large as the largest tensor that needs rearranging (GPT-2 small: c_fc, 9 MB).
    /// A fresh tensor per weight would be handed back to the OS on dispose and page-faulted in again for the next one:
    /// on this machine that doubled the load's CPU time.
    /// </summary>
    private sealed class StagingBuffers(IEnumerable<SafetensorsEntry> entries) : IDisposable
    {
        private readonly Dictionary<string, Tensor> buffers = entries.GroupBy(e => e.DType).ToDictionary(g => g.Key,
            g => torch.empty(g.Max(e => e.ElementCount), SafetensorsDType.ToScalarType(g.Key)));

        /// <summary>A contiguous view of the buffer with the entry's shape and dtype (dispose the view, not the buffer).</summary>
        public Tensor For(SafetensorsEntry entry)
        {
            using var flat = buffers[entry.DType].narrow(0, 0, entry.ElementCount);
            return flat.view(entry.Shape);
        }

        public void Dispose()
        {
            foreach (var buffer in buffers.Values)
                buffer.Dispose();
        }
    }

    // Saving: course parameters → file orientation (views where possible; the writer copies one tensor at a time).
    private static Tensor ToFileOrientation(Gpt2TensorMap map, Tensor[] sources) => map.Placement switch
    {
        Gpt2Placement.AsIs => sources[0],
        Gpt2Placement.Transposed => sources[0].t(),
        Gpt2Placement.FusedQkvWeight => torch.cat(sources.Select(s => s.t()).ToArray(), 1),
        Gpt2Placement.FusedQkvBias => torch.cat(sources, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(map), map.Placement, "Unknown placement."),
    };
}
