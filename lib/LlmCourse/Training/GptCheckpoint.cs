using System.Globalization;
using LlmCourse.IO;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>A model loaded from a checkpoint, with what else the checkpoint held.</summary>
/// <param name="Model">The model, built from the checkpoint's config, weights loaded (fp32), in eval mode.</param>
/// <param name="Tokenizer">The tokenizer saved with it, or null.</param>
/// <param name="State">The training state, or null for a weights-only checkpoint.</param>
/// <param name="Checkpoint">The opened folder.</param>
public sealed record LoadedGpt(GptModel Model, BytePairTokenizer? Tokenizer, TrainingState? State, CheckpointReader Checkpoint);

/// <summary>
/// The course's checkpoint of a GPT: one folder holding <c>model.safetensors</c> (weights, readable by Python's
/// safetensors), <c>config.json</c> (<see cref="GptConfig"/>), <c>tokenizer.bpe</c> (when the tokenizer is the
/// course's BPE), and for a run that can resume, <c>training.json</c> and <c>optimizer.safetensors</c>, all written
/// atomically with a manifest of sizes and hashes (see <see cref="CheckpointFolder"/>).
/// </summary>
public static class GptCheckpoint
{
    /// <summary>The weights file.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The model config file.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The tokenizer file (the course's BPE format).</summary>
    public const string TokenizerFile = "tokenizer.bpe";

    /// <summary>The training state file (step, data position, generator states, curves, settings).</summary>
    public const string StateFile = "training.json";

    /// <summary>The optimizer state file.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>Saves a checkpoint atomically; returns its full path.</summary>
    /// <param name="folder">The checkpoint folder (replaced if it exists, only once the new one is complete).</param>
    /// <param name="model">The model whose weights and config are saved.</param>
    /// <param name="tokenizer">The course BPE tokenizer to include, or null.</param>
    /// <param name="state">Training state to include, or null for a weights-only checkpoint.</param>
    /// <param name="optimizer">Optimizer state to include, or null.</param>
    /// <param name="storeWeightsAs">Store the weights in this floating type (e.g. <c>torch.bfloat16</c> halves the size; not exact); null = as they are.</param>
    /// <exception cref="ArgumentException">The tokenizer is not the course's BPE (the only kind this format stores).</exception>
    public static string Save(string folder, GptModel model, ITokenizer? tokenizer = null, TrainingState? state = null,
        AdamWOptimizer? optimizer = null, ScalarType? storeWeightsAs = null)
    {
        if (tokenizer is not null and not BytePairTokenizer)
            throw new ArgumentException($"Checkpoints store the course's BPE tokenizer; '{tokenizer.Name}' is a {tokenizer.GetType().Name}. Pass tokenizer: null and save it yourself.", nameof(tokenizer));
        return CheckpointFolder.Write(folder, writer =>
        {
            var metadata = new Dictionary<string, string>
            {
                ["format"] = "pt", // tells Python's safetensors these are PyTorch-layout tensors
                ["llmcourse"] = "gpt",
                ["step"] = (state?.Step ?? 0).ToString(CultureInfo.InvariantCulture),
            };
            writer.WriteTensors(WeightsFile, model.state_dict(), metadata, storeWeightsAs);
            writer.WriteText(ConfigFile, model.Config.ToJson());
            if (tokenizer is BytePairTokenizer bpe)
                writer.WriteWith(TokenizerFile, bpe.Save);
            if (state is not null)
                writer.WriteText(StateFile, state.ToJson());
            if (optimizer is not null)
                writer.WriteWith(OptimizerFile, optimizer.SaveState);
        });
    }

    /// <summary>Loads a checkpoint: builds the model from its config and loads its weights (fp32), the tokenizer and state if present.</summary>
    /// <exception cref="InvalidDataException">A file is missing, truncated or corrupt; the message names it.</exception>
    public static LoadedGpt Load(string folder)
    {
        var checkpoint = CheckpointFolder.Open(folder);
        var config = ReadConfig(checkpoint);
        var model = new GptModel(config);
        try
        {
            LoadWeights(checkpoint, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        var tokenizer = checkpoint.Has(TokenizerFile) ? BytePairTokenizer.Load(checkpoint.PathOf(TokenizerFile)) : null;
        var state = checkpoint.Has(StateFile) ? TrainingState.FromJson(checkpoint.ReadText(StateFile), checkpoint.PathOf(StateFile)) : null;
        return new LoadedGpt(model, tokenizer, state, checkpoint);
    }

    /// <summary>The config a checkpoint was saved with.</summary>
    public static GptConfig ReadConfig(CheckpointReader checkpoint)
    {
        try
        {
            return GptConfig.FromJson(checkpoint.ReadText(ConfigFile));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{checkpoint.PathOf(ConfigFile)} is not a valid model config: {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies a checkpoint's weights into an existing model, after checking every name and shape against the file's
    /// header, so a checkpoint of another config fails naming the first mismatched tensor and leaves the model untouched.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor is missing, extra, or of another shape; the message names it.</exception>
    public static void LoadWeights(CheckpointReader checkpoint, GptModel model)
    {
        using var file = checkpoint.OpenTensors(WeightsFile);
        var own = model.state_dict();
        var savedConfig = checkpoint.Has(ConfigFile) ? $" The checkpoint's config: {Summary(ReadConfig(checkpoint))}; this model's: {Summary(model.Config)}." : "";
        foreach (var (name, target) in own)
        {
            if (!file.Contains(name))
                throw new InvalidDataException($"{file.Path} has no tensor '{name}', which this model needs. It was saved from a model of another config: build the model from GptCheckpoint.ReadConfig.{savedConfig}");
            var entry = file[name];
            if (!entry.Shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{file.Path}: tensor '{name}' is {entry.ShapeText} in the checkpoint but [{string.Join(", ", target.shape)}] in this model. " +
                                               $"Build the model from the checkpoint's config (GptCheckpoint.Load does).{savedConfig}");
        }
        if (file.Names.FirstOrDefault(n => !own.ContainsKey(n)) is { } extra)
            throw new InvalidDataException($"{file.Path} holds tensor '{extra}', which this model does not have: it comes from a model of another config.{savedConfig}");
        foreach (var (name, target) in own)
            file.ReadInto(name, target);
    }

    private static string Summary(GptConfig c) =>
        $"vocab {c.VocabSize}, context {c.ContextLength}, {c.Layers} layers, width {c.Width}, {c.Heads} heads, {c.Positions} positions";
}
