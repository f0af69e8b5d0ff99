using LlmCourse.Levers;
using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

/// <summary>
/// Trainable token rows and the embedding LoRA, on the course's GPT (Tiny preset, tied head): the adapter starts as the
/// identity, only its own tensors train, only the chosen rows of the adapted matrix change, and merging, unmerging,
/// unwrapping and the adapter file all keep the function.
/// </summary>
public class EmbeddingAdapterTests
{
    private const int Vocab = 40;
    private static readonly int[] NewTokens = [36, 38, 39];

    private static Tensor Ids(int batch, int time, ulong seed) =>
        randint(0, Vocab, [batch, time], generator: new Generator(seed), dtype: ScalarType.Int64);

    private static LoraConfig Config(int embeddingRank, int[]? tokens) =>
        new(Rank: 2, Alpha: 4, TargetPattern: @"attn\.v_proj$", EmbeddingRank: embeddingRank, TrainableTokens: tokens);

    /// <summary>A few AdamW steps of next-token loss on ids that use the new tokens, so every trainable tensor gets a gradient.</summary>
    private static void Train(GptModel model, int steps = 3)
    {
        var ids = Ids(2, 12, 3);
        ids[0, 2] = tensor(NewTokens[0]);
        ids[1, 5] = tensor(NewTokens[2]);
        var optimizer = optim.AdamW(Lora.TrainableParametersOf(model), lr: 0.05);
        model.train();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.Loss(ids[.., ..^1], ids[.., 1..]).backward();
            optimizer.step();
        }
        model.eval();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_fresh_adapter_leaves_the_model_exactly_as_it_was(int embeddingRank)
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        model.eval();
        var ids = Ids(2, 10, 1);
        var before = model.forward(ids);
        var report = Lora.Apply(model, Config(embeddingRank, NewTokens));
        Assert.Equal(Lora.EmbeddingName, report.Layers[0]);
        Assert.True(model.forward(ids).allclose(before, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Trainable_tokens_change_only_their_rows_and_count_rows_times_width()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var width = model.Config.Width;
        var baseLoras = 2 * 2 * (width + width); // rank 2 on v_proj in both blocks
        var report = Lora.Apply(model, Config(0, NewTokens));
        Assert.Equal(baseLoras + NewTokens.Length * width, report.TrainableParameters);
        var embeddingBefore = model.TokenEmbeddingWeight.detach().clone();
        using (no_grad())
            Assert.True(model.TokenEmbeddingAdapter!.call(model.TokenEmbeddingWeight).allclose(embeddingBefore, rtol: 0, atol: 0));

        Train(model);

        Assert.True(model.TokenEmbeddingWeight.allclose(embeddingBefore, rtol: 0, atol: 0), "the frozen matrix itself changed");
        Tensor adapted;
        using (no_grad())
            adapted = model.TokenEmbeddingAdapter!.call(model.TokenEmbeddingWeight);
        var changed = Enumerable.Range(0, Vocab).Where(i => !adapted[i].allclose(embeddingBefore[i], rtol: 0, atol: 0)).ToArray();
        Assert.Equal(NewTokens, changed); // exactly the chosen rows moved, every one of them
    }

    [Fact]
    public void The_embedding_lora_trains_only_its_own_tensors_and_with_a_tied_head_changes_the_output_too()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var width = model.Config.Width;
        var report = Lora.Apply(model, Config(3, null));
        Assert.Equal(2 * 2 * (width + width) + 3 * (Vocab + width), report.TrainableParameters);
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        Assert.Contains("token_embedding.weight", frozen.Keys);
        var adapter = Lora.EmbeddingAdapterOf(model)!;
        Assert.Equal(0, adapter.B!.abs().sum().item<float>()); // B starts at zero

        Train(model);

        foreach (var (name, p) in model.named_parameters().Where(p => frozen.ContainsKey(p.name)))
            Assert.True(p.allclose(frozen[name], rtol: 0, atol: 0), $"frozen {name} changed");
        Assert.True(adapter.B.abs().sum().item<float>() > 0, "B did not move");
        Assert.True(adapter.A!.grad is not null && adapter.A.grad.abs().sum().item<float>() > 0, "A got no gradient");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Merged_equals_unmerged_unmerge_restores_the_matrix_and_unwrap_leaves_a_plain_model(int embeddingRank)
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        Lora.Apply(model, Config(embeddingRank, NewTokens));
        var baseMatrix = model.TokenEmbeddingWeight.detach().clone();
        Train(model);
        var ids = Ids(2, 10, 5);
        var unmerged = model.forward(ids);

        Lora.Merge(model);
        Assert.False(model.TokenEmbeddingWeight.allclose(baseMatrix, rtol: 0, atol: 1e-6)); // the update went into the matrix
        Assert.True(model.forward(ids).allclose(unmerged, rtol: 0, atol: 1e-5));
        Lora.Unmerge(model);
        Assert.True(model.TokenEmbeddingWeight.allclose(baseMatrix, rtol: 0, atol: 1e-6));
        Assert.True(model.forward(ids).allclose(unmerged, rtol: 0, atol: 1e-5));

        var names = Lora.Unwrap(model, merge: true);
        Assert.Equal(Lora.EmbeddingName, names[0]);
        Assert.Null(model.TokenEmbeddingAdapter);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("lora_") || k.Contains("token_adapter"));
        Assert.True(model.forward(ids).allclose(unmerged, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void The_adapter_file_carries_the_embedding_part_into_a_fresh_model()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var config = Config(3, NewTokens);
        Lora.Apply(model, config);
        Train(model);
        var ids = Ids(2, 10, 6);
        var tuned = model.forward(ids);
        var path = Path.Combine(Path.GetTempPath(), $"llmcourse-emb-lora-{Guid.NewGuid():N}.safetensors");
        try
        {
            var size = Lora.SaveAdapter(model, path, config);
            Assert.InRange(size - 4 * Lora.TrainableParameters(model), 8, 4096); // every trainable number, nothing else
            using var fresh = new GptModel(GptConfig.Tiny(Vocab)); // same seed, same base weights
            Assert.Equal(config, Lora.LoadAdapter(fresh, path));
            fresh.eval();
            Assert.True(fresh.forward(ids).allclose(tuned, rtol: 0, atol: 0));

            using var other = new GptModel(GptConfig.Tiny(Vocab));
            Lora.Apply(other, config with { TrainableTokens = [1, 2, 3] });
            var error = Assert.Throws<InvalidDataException>(() => Lora.LoadAdapter(other, path));
            Assert.Contains("36, 38, 39", error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Bad_embedding_options_name_the_problem_and_change_nothing()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var outside = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config(0, [5, Vocab])));
        Assert.Contains($"Token id {Vocab} is outside the vocabulary", outside.Message);
        var twice = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config(0, [5, 5])));
        Assert.Contains("listed twice", twice.Message);
        var rank = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config(-1, null)));
        Assert.Contains("rank -1", rank.Message);
        Assert.Null(model.TokenEmbeddingAdapter);
        Assert.Empty(Lora.Adapters(model)); // checked before any layer was wrapped
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));

        Lora.Apply(model, Config(2, null));
        var second = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config(2, null) with { TargetPattern = @"attn\.q_proj$" }));
        Assert.Contains("already has an adapter", second.Message);

        using var toy = ToyModel.Create();
        var notGpt = Assert.Throws<ArgumentException>(() => Lora.Apply(toy, new LoraConfig(4, 8, @"\.q$", TrainableTokens: [1])));
        Assert.Contains("GPT model", notGpt.Message);
    }

    [Fact]
    public void The_tied_head_scores_with_the_adapted_rows_in_every_path_and_merging_writes_exactly_those_rows()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        model.eval();
        Lora.Apply(model, Config(0, NewTokens));
        var adapter = Lora.EmbeddingAdapterOf(model)!;
        using (no_grad())
            adapter.Rows!.zero_(); // a zero row makes that token's logit h · 0 = 0 wherever the head reads the adapted matrix
        var ids = Ids(2, 10, 9);
        var logits = model.forward(ids);
        foreach (var t in NewTokens)
            Assert.Equal(0, logits[.., .., t].abs().max().item<float>());
        Assert.True(logits[.., .., 0].abs().max().item<float>() > 0); // an untouched row still scores
        using (no_grad())
        {
            var lens = model.Unembed(model.Hidden(ids));
            Assert.Equal(0, lens[.., .., NewTokens[1]].abs().max().item<float>());
            using var cache = new KvCache(model.Config.Layers);
            model.Run(ids[.., ..6], cache).Dispose();
            var next = model.Run(ids[.., 6..7], cache).Logits;
            Assert.Equal(0, next[.., .., NewTokens[2]].abs().max().item<float>());
            Assert.True(next.allclose(logits[.., 6..7], rtol: 0, atol: 1e-5)); // the cached step sees the adapted input rows too
        }

        var rowsBefore = adapter.Rows.detach().clone();
        var baseMatrix = model.TokenEmbeddingWeight.detach().clone();
        Lora.Merge(model);
        var merged = model.TokenEmbeddingWeight.detach();
        var ids64 = tensor(NewTokens.Select(t => (long)t).ToArray());
        Assert.True(merged.index_select(0, ids64).allclose(rowsBefore, rtol: 0, atol: 0)); // the rows went in as they were
        var others = tensor(Enumerable.Range(0, Vocab).Except(NewTokens).Select(t => (long)t).ToArray());
        Assert.True(merged.index_select(0, others).allclose(baseMatrix.index_select(0, others), rtol: 0, atol: 0)); // nothing else moved
        Assert.True(model.forward(ids).allclose(logits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void The_model_refuses_a_second_adapter_and_an_identity_adapter_gives_identical_logits()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        model.eval();
        var ids = Ids(2, 10, 8);
        var before = model.forward(ids);
        model.TokenEmbeddingAdapter = new EmbeddingAdapter(model.TokenEmbeddingWeight, 0, 0, [3]);
        Assert.True(model.forward(ids).allclose(before, rtol: 0, atol: 0)); // index_select lookup = the Embedding's lookup
        Assert.Contains("token_adapter.rows", model.state_dict().Keys);
        var error = Assert.Throws<ArgumentException>(() => model.TokenEmbeddingAdapter = new EmbeddingAdapter(model.TokenEmbeddingWeight, 1, 2, []));
        Assert.Contains("already has a token-embedding adapter", error.Message);
        model.TokenEmbeddingAdapter = null;
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("token_adapter", StringComparison.Ordinal));
    }
}
