using System.Globalization;
using LlmCourse.IO;
using LlmCourse.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>What <see cref="Lora.Apply"/> did: which layers got adapters and how many parameters will train.</summary>
/// <param name="Layers">Qualified names of the adapted layers.</param>
/// <param name="TrainableParameters">Parameters with requires_grad after wrapping: the adapters' A and B only.</param>
/// <param name="TotalParameters">All parameters of the wrapped model (base plus adapters).</param>
public sealed record LoraReport(IReadOnlyList<string> Layers, long TrainableParameters, long TotalParameters)
{
    /// <summary>Trainable share of all parameters, e.g. 0.012 for 1.2 %.</summary>
    public double TrainableFraction => (double)TrainableParameters / TotalParameters;
}

/// <summary>
/// LoRA on any model built from Linear layers: wrap the chosen projections, freeze everything else, train, then merge
/// the adapters into the weights (no inference cost) or save them alone (a file of a few hundred kilobytes).
/// </summary>
public static class Lora
{
    private const string RankKey = "lora.rank", AlphaKey = "lora.alpha", PatternKey = "lora.target_pattern", DropoutKey = "lora.dropout", SeedKey = "lora.seed",
        EmbeddingRankKey = "lora.embedding_rank", TokensKey = "lora.trainable_tokens";

    /// <summary>The name the token-embedding adapter's tensors and layer go by (<c>token_embedding.lora_A</c>, ...).</summary>
    public const string EmbeddingName = "token_embedding";

    /// <summary>
    /// Freezes every parameter of <paramref name="model"/> (requires_grad = false) and puts a <see cref="LoraLinear"/>
    /// around each Linear whose name matches <see cref="LoraConfig.TargetPattern"/>. The model's output is unchanged
    /// until A and B are trained. Checks every target before changing anything.
    /// </summary>
    /// <remarks>With <see cref="LoraConfig.EmbeddingRank"/> or <see cref="LoraConfig.TrainableTokens"/> a GPT model also gets
    /// an <see cref="EmbeddingAdapter"/> on its token embedding (reported as the layer <see cref="EmbeddingName"/>).</remarks>
    /// <exception cref="ArgumentException">No layer matched, a matched module is not a Linear (or already has an
    /// adapter), the rank does not fit a layer, or the embedding options are asked of a model that is not a GPT
    /// model, already has an embedding adapter or does not fit them.</exception>
    public static LoraReport Apply(nn.Module model, LoraConfig config)
    {
        var targets = LinearTargets.Find(model, config.TargetPattern, "LoRA");
        foreach (var (name, layer) in targets)
        {
            var maxRank = Math.Min(layer.in_features, layer.out_features);
            if (config.Rank < 1 || config.Rank > maxRank)
                throw new ArgumentException($"LoRA rank {config.Rank} does not fit layer '{name}' ({layer.in_features} → {layer.out_features}): " +
                                            $"use a rank from 1 to {maxRank}, or leave that layer out of the pattern.", nameof(config));
            ModuleSurgery.EnsureReplaceable(model, name, typeof(LoraLinear));
        }
        EmbeddingAdapter? embedding = null;
        if (config.AdaptsEmbedding)
        {
            if (model is not GptModel gpt)
                throw new ArgumentException($"EmbeddingRank and TrainableTokens adapt a GPT model's token embedding; this model is a {model.GetType().Name}. " +
                                            "Leave them at 0 and empty for other models.", nameof(config));
            if (gpt.TokenEmbeddingAdapter is not null)
                throw new ArgumentException("The model's token embedding already has an adapter (from an earlier Apply): leave EmbeddingRank at 0 and " +
                                            "TrainableTokens empty in the second config, or start from a fresh model.", nameof(config));
            embedding = new EmbeddingAdapter(gpt.TokenEmbeddingWeight, config.EmbeddingRank, config.Scaling * config.EmbeddingRank,
                                             config.TrainableTokens ?? [], new Generator((ulong)config.Seed + 1));
        }
        foreach (var (_, p) in model.named_parameters()) p.requires_grad = false;
        var generator = new Generator((ulong)config.Seed);
        foreach (var (name, layer) in targets)
            ModuleSurgery.Replace(model, name, new LoraLinear(layer, config.Rank, config.Alpha, config.Dropout, generator));
        foreach (var (_, adapter) in Adapters(model)) // adapters from an earlier Apply stay trainable
            adapter.A.requires_grad = adapter.B.requires_grad = true;
        if (embedding is not null)
            ((GptModel)model).TokenEmbeddingAdapter = embedding;
        foreach (var p in EmbeddingAdapterOf(model)?.parameters() ?? [])
            p.requires_grad = true;
        var layers = targets.Select(t => t.Name).ToList();
        if (embedding is not null)
            layers.Insert(0, EmbeddingName);
        return new LoraReport(layers, TrainableParameters(model), model.parameters().Sum(p => p.numel()));
    }

    /// <summary>The GPT model's token-embedding adapter, or null (none, or not a GPT model).</summary>
    public static EmbeddingAdapter? EmbeddingAdapterOf(nn.Module model) => (model as GptModel)?.TokenEmbeddingAdapter as EmbeddingAdapter;

    /// <summary>The adapters of a model, by layer name.</summary>
    public static IReadOnlyList<(string Name, LoraLinear Layer)> Adapters(nn.Module model) =>
        model.named_modules().Where(m => m.module is LoraLinear).Select(m => (m.name, (LoraLinear)m.module)).ToList();

    /// <summary>Number of parameters an optimizer would update (requires_grad = true).</summary>
    public static long TrainableParameters(nn.Module model) => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>The parameters to hand the optimizer: only the adapters' A and B.</summary>
    public static IEnumerable<Parameter> TrainableParametersOf(nn.Module model) => model.parameters().Where(p => p.requires_grad);

    /// <summary>Folds every adapter into its base weight (<see cref="LoraLinear.Merge"/>, <see cref="EmbeddingAdapter.Merge"/>).</summary>
    public static void Merge(nn.Module model)
    {
        foreach (var (_, a) in Adapters(model)) a.Merge();
        EmbeddingAdapterOf(model)?.Merge(((GptModel)model).TokenEmbeddingWeight);
    }

    /// <summary>Takes every adapter back out of its base weight (<see cref="LoraLinear.Unmerge"/>, <see cref="EmbeddingAdapter.Unmerge"/>).</summary>
    public static void Unmerge(nn.Module model)
    {
        foreach (var (_, a) in Adapters(model)) a.Unmerge();
        EmbeddingAdapterOf(model)?.Unmerge(((GptModel)model).TokenEmbeddingWeight);
    }

    /// <summary>
    /// Removes the adapters: each <see cref="LoraLinear"/> is replaced by its original Linear, holding the merged weight
    /// when <paramref name="merge"/> is true (a plain fine-tuned model) or the base weight otherwise. Parameters stay
    /// frozen; set requires_grad again to train the whole model. Returns the layer names.
    /// </summary>
    public static IReadOnlyList<string> Unwrap(nn.Module model, bool merge = true)
    {
        var adapters = Adapters(model);
        foreach (var (name, adapter) in adapters)
        {
            if (merge) adapter.Merge(); else adapter.Unmerge();
            ModuleSurgery.Replace(model, name, adapter.ToLinear());
        }
        var names = adapters.Select(a => a.Name).ToList();
        if (EmbeddingAdapterOf(model) is { } embedding)
        {
            var gpt = (GptModel)model;
            if (merge) embedding.Merge(gpt.TokenEmbeddingWeight); else embedding.Unmerge(gpt.TokenEmbeddingWeight);
            gpt.TokenEmbeddingAdapter = null;
            embedding.Dispose();
            names.Insert(0, EmbeddingName);
        }
        return names;
    }

    /// <summary>
    /// Writes only the adapters (every layer's A and B, plus the config in the metadata) to <paramref name="path"/>
    /// as a safetensors file, atomically. Returns the file size in bytes. Saved unmerged values: merging does
    /// not change A and B.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no adapters.</exception>
    public static long SaveAdapter(nn.Module model, string path, LoraConfig config)
    {
        var tensors = AdapterTensors(model);
        if (tensors.Count == 0)
            throw new ArgumentException("The model has no LoRA adapters to save: call Lora.Apply(model, config) first.", nameof(model));
        var metadata = new Dictionary<string, string>
        {
            [RankKey] = config.Rank.ToString(CultureInfo.InvariantCulture),
            [AlphaKey] = config.Alpha.ToString("R", CultureInfo.InvariantCulture),
            [PatternKey] = config.TargetPattern,
            [DropoutKey] = config.Dropout.ToString("R", CultureInfo.InvariantCulture),
            [SeedKey] = config.Seed.ToString(CultureInfo.InvariantCulture),
            [EmbeddingRankKey] = config.EmbeddingRank.ToString(CultureInfo.InvariantCulture),
            [TokensKey] = string.Join(",", (config.TrainableTokens ?? []).Select(t => t.ToString(CultureInfo.InvariantCulture))),
        };
        SafetensorsWriter.Write(path, tensors.Select(t => KeyValuePair.Create(t.Key, (Tensor)t.Parameter)), metadata);
        return new FileInfo(path).Length;
    }

    /// <summary>Every trainable tensor of the adapters by its file name: <c>{layer}.lora_A</c>, <c>{layer}.lora_B</c>, and for the embedding adapter also <c>token_embedding.rows</c>.</summary>
    private static List<(string Key, Parameter Parameter)> AdapterTensors(nn.Module model)
    {
        var tensors = Adapters(model).SelectMany(a => new[] { ($"{a.Name}.lora_A", a.Layer.A), ($"{a.Name}.lora_B", a.Layer.B) }).ToList();
        if (EmbeddingAdapterOf(model) is { } embedding)
        {
            if (embedding.A is not null)
                tensors.AddRange([($"{EmbeddingName}.lora_A", embedding.A), ($"{EmbeddingName}.lora_B", embedding.B!)]);
            if (embedding.Rows is not null)
                tensors.Add(($"{EmbeddingName}.rows", embedding.Rows));
        }
        return tensors;
    }

    /// <summary>
    /// Loads an adapter file into <paramref name="model"/>. A model without adapters is first wrapped with the saved
    /// config (<see cref="Apply"/>); a wrapped one must have the same adapted layers and shapes. Returns the config read
    /// from the file. Merged adapters are unmerged first so the new values start from the base weight.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an adapter file or does not fit the model.</exception>
    public static LoraConfig LoadAdapter(nn.Module model, string path)
    {
        Dictionary<string, Tensor> tensors;
        IReadOnlyDictionary<string, string> metadata;
        using (var file = SafetensorsReader.Open(path))
            (tensors, metadata) = (file.ReadAll(), file.Metadata);
        if (!metadata.TryGetValue(RankKey, out var rank) || !metadata.TryGetValue(AlphaKey, out var alpha) || !metadata.TryGetValue(PatternKey, out var pattern))
            throw new InvalidDataException($"'{path}' has no LoRA metadata (rank, alpha, target pattern): it was not written by Lora.SaveAdapter.");
        var tokens = metadata.GetValueOrDefault(TokensKey, "");
        var config = new LoraConfig(int.Parse(rank, CultureInfo.InvariantCulture), double.Parse(alpha, CultureInfo.InvariantCulture), pattern,
            double.Parse(metadata.GetValueOrDefault(DropoutKey, "0"), CultureInfo.InvariantCulture),
            int.Parse(metadata.GetValueOrDefault(SeedKey, Course.DefaultSeed.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            int.Parse(metadata.GetValueOrDefault(EmbeddingRankKey, "0"), CultureInfo.InvariantCulture),
            tokens.Length == 0 ? null : tokens.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray());
        if (Adapters(model).Count == 0 && EmbeddingAdapterOf(model) is null) Apply(model, config);
        var adapters = Adapters(model);
        var targets = AdapterTensors(model);
        var expected = targets.Select(t => t.Key).ToHashSet();
        if (!expected.SetEquals(tensors.Keys))
            throw new InvalidDataException($"'{path}' holds adapters for other layers ({string.Join(", ", tensors.Keys.Except(expected).Concat(expected.Except(tensors.Keys)).Take(4))} ...) " +
                                           "than the model has: load it into the model architecture and target pattern it was trained with.");
        foreach (var (name, adapter) in adapters) // check everything before changing anything
            if (Math.Abs(adapter.Scaling - config.Scaling) > 1e-12 * Math.Abs(config.Scaling))
                throw new InvalidDataException($"'{path}' was trained with alpha/rank = {config.Scaling} but layer '{name}' uses {adapter.Scaling}: " +
                                               "load it into an unwrapped model (it is then wrapped with the saved config).");
        if (EmbeddingAdapterOf(model) is { } embedding && !embedding.TrainableRows.SequenceEqual(config.TrainableTokens ?? []))
            throw new InvalidDataException($"'{path}' trains the embedding rows of tokens [{string.Join(", ", config.TrainableTokens ?? [])}] but the model's adapter " +
                                           $"trains [{string.Join(", ", embedding.TrainableRows)}]: load it into an unwrapped model (it is then wrapped with the saved config).");
        foreach (var (key, param) in targets)
            if (!tensors[key].shape.SequenceEqual(param.shape))
                throw new InvalidDataException($"'{key}' in '{path}' has shape [{string.Join(", ", tensors[key].shape)}] but the model's is " +
                                               $"[{string.Join(", ", param.shape)}]: the rank or layer size differs.");
        Unmerge(model);
        using var _ = no_grad();
        foreach (var (key, param) in targets)
            param.copy_(tensors[key]);
        foreach (var t in tensors.Values) t.Dispose();
        return config;
    }
}
