using LlmCourse.Generation;
using LlmCourse.Levers;
using LlmCourse.Model;
using LlmCourse.Tests.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

/// <summary>Context extension on the Tiny model (context 16): RoPE stretching, sliding windows, the cache's bound.</summary>
public class ContextExtensionTests
{
    private const int Vocab = 50;

    private static GptModel Tiny(int? window = null, PositionKind positions = PositionKind.Rope)
    {
        var model = new GptModel(GptConfig.Tiny(Vocab) with { Positions = positions });
        model.SlidingWindow = window;
        model.eval();
        return model;
    }

    public static TheoryData<RopeScaling> FactorOne => new() { RopeScaling.Linear(1), RopeScaling.Ntk(1), RopeScaling.Yarn(1, 16) };

    [Theory]
    [MemberData(nameof(FactorOne))]
    public void Scale_factor_one_gives_the_unscaled_models_logits_exactly(RopeScaling scaling)
    {
        using var model = Tiny();
        using var ids = ModelTestData.Ids(Vocab, batch: 2, time: 40);
        using var before = model.call(ids);
        model.RopeScaling = scaling;
        using var after = model.call(ids);
        Assert.True(after.eq(before).all().ToBoolean());
        // ... and the scaling is real: factor 2 changes them.
        model.RopeScaling = scaling with { PositionScale = scaling.PositionScale * 2 };
        using var stretched = model.call(ids);
        Assert.True(ModelTestData.MaxDifference(stretched, before) > 1e-4);
    }

    [Theory]
    [InlineData(RopeStretch.Linear)]
    [InlineData(RopeStretch.Ntk)]
    [InlineData(RopeStretch.Yarn)]
    public void Stretching_to_the_trained_length_changes_nothing_and_to_a_longer_one_sets_scaling_and_context(RopeStretch method)
    {
        using var model = Tiny();
        using var ids = ModelTestData.Ids(Vocab, batch: 1, time: 16);
        using var before = model.call(ids);
        var same = ContextExtension.Stretch(model, 16, method);
        Assert.True(same.IsIdentity);
        using (var after = model.call(ids))
            Assert.True(after.eq(before).all().ToBoolean());

        var scaling = ContextExtension.Stretch(model, 64, method);
        Assert.False(scaling.IsIdentity);
        Assert.Equal(64, model.ContextLength);
        Assert.Equal(scaling, model.Config.RopeScaling);
        Assert.Equal(method switch
        {
            RopeStretch.Linear => RopeScaling.Linear(4),
            RopeStretch.Ntk => RopeScaling.Ntk(4),
            _ => RopeScaling.Yarn(4, 16),
        }, scaling);
    }

    [Fact]
    public void A_stretched_model_fine_tunes_on_windows_of_the_new_length_and_its_checkpoint_keeps_the_stretch()
    {
        using var model = Tiny();
        ContextExtension.Stretch(model, 32, RopeStretch.Yarn);
        var tokens = Enumerable.Range(0, 400).Select(i => (i * 7 + i / 3) % Vocab).ToArray();
        var settings = new TrainingSettings { Steps = 2, BatchSize = 2, WarmupSteps = 1, EvalEvery = 0, EvalWindows = 2 };
        using (var trainer = new Trainer(model, tokens, tokens, settings))
        {
            Assert.Equal(2 * 32, trainer.TokensPerStep);
            Assert.True(double.IsFinite(trainer.TrainStep()));
        }
        model.eval();
        using var folder = new TempFolder();
        GptCheckpoint.Save(folder.Path, model);
        using var loaded = GptCheckpoint.Load(folder.Path).Model;
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(32, loaded.ContextLength);
        using var ids = ModelTestData.Ids(Vocab, batch: 1, time: 32);
        using var expected = model.call(ids);
        using var actual = loaded.call(ids);
        Assert.True(ModelTestData.MaxDifference(expected, actual) < 1e-6);
    }

    [Fact]
    public void A_window_at_least_the_sequence_length_is_full_attention_and_a_shorter_one_is_not()
    {
        using var model = Tiny();
        using var ids = ModelTestData.Ids(Vocab, batch: 2, time: 24);
        using var full = model.call(ids);
        foreach (var window in new[] { 24, 25, 1000 })
        {
            model.SlidingWindow = window;
            using var windowed = model.call(ids);
            Assert.True(windowed.eq(full).all().ToBoolean(), $"window {window}");
        }
        model.SlidingWindow = 23;
        using var cut = model.call(ids);
        Assert.Equal(0, ModelTestData.MaxDifference(cut.narrow(1, 0, 23), full.narrow(1, 0, 23)), 5);
        Assert.True(ModelTestData.MaxDifference(cut.narrow(1, 23, 1), full.narrow(1, 23, 1)) > 1e-4);
    }

    [Fact]
    public void Streaming_far_past_the_context_the_cache_gives_the_uncached_logits_and_never_holds_more_than_the_window()
    {
        const int window = 6, length = 52; // more than 3 × the context of 16
        using var model = Tiny(window);
        using var ids = ModelTestData.Ids(Vocab, batch: 1, time: length, seed: 11);
        using var full = model.call(ids); // the whole text at once, the window as a mask
        using var cache = model.CreateCache();
        long? allocated = null;
        var start = 0;
        foreach (var chunk in new[] { 9, 1, 1, 4, 1, 16, 1 }.Concat(Enumerable.Repeat(1, length)))
        {
            if (start >= length) break;
            var take = Math.Min(chunk, length - start);
            using (var step = model.Run(ids.narrow(1, start, take), cache))
                Assert.True(ModelTestData.MaxDifference(step.Logits, full.narrow(1, start, take)) < 1e-5, $"tokens {start}..{start + take - 1}");
            start += take;
            Assert.True(cache.StoredLength <= window, $"the cache holds {cache.StoredLength} entries after {start} tokens");
            Assert.Equal(ContextExtension.KvCacheBytes(model.Config, start, window), cache.BytesInUse);
            if (start > 32)
            {
                allocated ??= cache.BytesAllocated;
                Assert.Equal(allocated, cache.BytesAllocated); // no growth: the buffer is reused
            }
        }
        Assert.Equal(length, cache.Length);
    }

    [Fact]
    public void A_windowed_rope_model_generates_past_its_context_with_and_without_the_cache_alike()
    {
        using var model = Tiny(window: 8);
        var prompt = Enumerable.Range(0, 30).Select(i => (i * 11) % Vocab).ToArray(); // longer than the context of 16
        var options = new GenerationOptions { MaxNewTokens = 40, Sampling = new SamplingSettings(Temperature: 0), RecordLogits = true, OnWarning = _ => { } };
        var cached = TextGenerator.Generate(model, prompt, options);
        var plain = TextGenerator.Generate(model, prompt, options with { UseKvCache = false });
        Assert.Equal(0, cached.CroppedPromptTokens);
        Assert.Empty(cached.Warnings);
        Assert.Empty(plain.Warnings);
        Assert.Equal(40, cached.Generated.Count);
        Assert.Equal(plain.Generated, cached.Generated);
        for (var step = 0; step < 40; step++)
            Assert.True(plain.StepLogits[step].Zip(cached.StepLogits[step], (a, b) => Math.Abs(a - b)).Max() < 1e-4, $"step {step}");

        // The same tokens as reading the whole text at once with the window as a mask (greedy = argmax).
        long[] all = [.. prompt.Select(i => (long)i), .. cached.Generated.Select(i => (long)i)];
        using var logits = model.call(tensor(all).unsqueeze(0));
        using var argmax = logits[0].argmax(-1);
        var predicted = argmax.data<long>().ToArray();
        for (var step = 0; step < 40; step++)
            Assert.Equal(cached.Generated[step], (int)predicted[prompt.Length - 1 + step]);
    }

    [Fact]
    public void Cache_memory_is_linear_in_length_for_full_attention_and_flat_for_a_window_and_attention_compute_quadratic()
    {
        var config = GptConfig.Tiny(Vocab);
        var perToken = config.KvCacheBytesPerToken();
        Assert.Equal(perToken * 1000, ContextExtension.KvCacheBytes(config, 1000, window: null));
        Assert.Equal(perToken * 64, ContextExtension.KvCacheBytes(config, 1000, window: 64));
        Assert.Equal(ContextExtension.KvCacheBytes(config, 64, 64), ContextExtension.KvCacheBytes(config, 10_000, 64));
        Assert.Equal(3 * perToken * 10, ContextExtension.KvCacheBytes(config, 10, 64, batch: 3));

        var perKey = config.AttentionFlopsPerToken(1);
        Assert.Equal(perKey * 100 * 101 / 2, ContextExtension.AttentionFlops(config, 100, null));
        Assert.Equal(ContextExtension.AttentionFlops(config, 16, null), ContextExtension.AttentionFlops(config, 16, 16));
        // Past the window every token costs the same: the windowed total grows by exactly window keys per token.
        Assert.Equal(perKey * 16 * 100, ContextExtension.AttentionFlops(config, 216, 16) - ContextExtension.AttentionFlops(config, 116, 16));
        var quadratic = (double)ContextExtension.AttentionFlops(config, 2000, null) / ContextExtension.AttentionFlops(config, 1000, null);
        Assert.InRange(quadratic, 3.99, 4.01);
    }

    [Fact]
    public void Streaming_cost_reports_the_caches_real_memory_and_the_formulas_flops()
    {
        using var model = Tiny(window: 8);
        var ids = Enumerable.Range(0, 50).Select(i => i % Vocab).ToArray();
        var points = ContextCost.Stream(model, ids, chunk: 8);
        Assert.Equal([8, 16, 24, 32, 40, 48, 50], points.Select(p => p.Position));
        Assert.All(points, p => Assert.Equal(ContextExtension.KvCacheBytes(model.Config, p.Position, 8), p.KvBytes));
        Assert.All(points, p => Assert.True(p.Milliseconds > 0));
        Assert.Equal(ContextExtension.AttentionFlops(model.Config, 50, 8), points.Sum(p => p.AttentionFlops));

        model.SlidingWindow = null;
        var growing = ContextCost.Stream(model, ids, chunk: 25);
        Assert.Equal([model.Config.KvCacheBytesPerToken() * 25, model.Config.KvCacheBytesPerToken() * 50], growing.Select(p => p.KvBytes));
    }

    [Fact]
    public void Bad_windows_scales_and_lengths_are_refused_with_the_fix_in_the_message()
    {
        using var model = Tiny();
        Assert.Contains("null for full attention", Assert.Throws<ArgumentOutOfRangeException>(() => model.SlidingWindow = 0).Message);
        Assert.Contains("null for full attention", Assert.Throws<ArgumentOutOfRangeException>(() => model.SlidingWindow = -3).Message);
        Assert.Null(model.SlidingWindow);
        Assert.Contains("null for full attention", Assert.Throws<ArgumentOutOfRangeException>(() => ContextExtension.KvCacheBytes(model.Config, 10, 0)).Message);
        Assert.Contains("PositionScale", Assert.Throws<ArgumentException>(() => model.RopeScaling = RopeScaling.Linear(0)).Message);
        Assert.Contains("NtkAlpha", Assert.Throws<ArgumentException>(() => model.RopeScaling = RopeScaling.Ntk(-4)).Message);
        Assert.True(model.RopeScaling.IsIdentity);
        Assert.Contains("at least the trained length (16)", Assert.Throws<ArgumentOutOfRangeException>(() => ContextExtension.Stretch(model, 8, RopeStretch.Linear)).Message);
        ContextExtension.Stretch(model, 32, RopeStretch.Ntk);
        Assert.Contains("Load the checkpoint again", Assert.Throws<InvalidOperationException>(() => ContextExtension.Stretch(model, 64, RopeStretch.Ntk)).Message);
        Assert.Contains("at least 1 token", Assert.Throws<ArgumentOutOfRangeException>(() => model.ContextLength = 0).Message);

        using var learned = Tiny(positions: PositionKind.Learned);
        Assert.Contains("Only RoPE or sinusoidal", Assert.Throws<InvalidOperationException>(() => learned.ContextLength = 32).Message);
        Assert.Contains("needs a RoPE model", Assert.Throws<InvalidOperationException>(() => ContextExtension.Stretch(learned, 32, RopeStretch.Linear)).Message);
    }
}
