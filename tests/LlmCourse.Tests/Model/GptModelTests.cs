using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class GptModelTests
{
    public static TheoryData<PositionKind, AttentionKernel> PositionsAndKernels => new()
    {
        { PositionKind.Rope, AttentionKernel.Sdpa }, { PositionKind.Rope, AttentionKernel.Explicit },
        { PositionKind.Learned, AttentionKernel.Sdpa }, { PositionKind.Sinusoidal, AttentionKernel.Explicit },
    };

    [Theory]
    [MemberData(nameof(PositionsAndKernels))]
    public void Changing_later_tokens_changes_no_output_at_earlier_positions(PositionKind positions, AttentionKernel kernel)
    {
        var config = GptConfig.Tiny(vocabSize: 50) with { Positions = positions, Attention = kernel };
        using var model = new GptModel(config);
        model.eval();
        using var ids = ModelTestData.Ids(50, batch: 2, time: 12);
        const int t = 6;
        using var changed = ids.clone();
        changed.narrow(1, t + 1, 12 - t - 1).copy_((ids.narrow(1, t + 1, 12 - t - 1) + 1) % 50);
        using var before = model.call(ids);
        using var after = model.call(changed);
        Assert.Equal(0, ModelTestData.MaxDifference(before.narrow(1, 0, t + 1), after.narrow(1, 0, t + 1)));
        Assert.True(ModelTestData.MaxDifference(before.narrow(1, t + 1, 12 - t - 1), after.narrow(1, t + 1, 12 - t - 1)) > 1e-4,
            "the later positions must change, or the test proves nothing");
    }

    [Theory]
    [InlineData(PositionKind.Rope, null)]
    [InlineData(PositionKind.Learned, null)]
    [InlineData(PositionKind.Rope, 5)]
    public void Explicit_attention_equals_the_fused_kernel(PositionKind positions, int? window)
    {
        using var model = new GptModel(GptConfig.Tiny(50) with { Positions = positions, SlidingWindow = window });
        using var ids = ModelTestData.Ids(50, batch: 3, time: 16);
        model.AttentionKernel = AttentionKernel.Sdpa;
        using var fused = model.call(ids);
        model.AttentionKernel = AttentionKernel.Explicit;
        using var written = model.call(ids);
        Assert.True(ModelTestData.MaxDifference(fused, written) < 1e-5);
    }

    public static TheoryData<PositionKind, AttentionKernel, int> CacheCases => new()
    {
        { PositionKind.Rope, AttentionKernel.Sdpa, 5 }, { PositionKind.Rope, AttentionKernel.Explicit, 1 },
        { PositionKind.Learned, AttentionKernel.Sdpa, 7 }, { PositionKind.Sinusoidal, AttentionKernel.Sdpa, 3 },
    };

    [Theory]
    [MemberData(nameof(CacheCases))]
    public void Logits_with_the_kv_cache_equal_logits_without_at_every_position(PositionKind positions, AttentionKernel kernel, int prefill)
    {
        using var model = new GptModel(GptConfig.Tiny(50) with { Positions = positions, Attention = kernel });
        model.eval();
        using var ids = ModelTestData.Ids(50, batch: 2, time: 16);
        using var full = model.call(ids);
        using var cache = model.CreateCache();
        using (var first = model.Run(ids.narrow(1, 0, prefill), cache))
            Assert.True(ModelTestData.MaxDifference(first.Logits, full.narrow(1, 0, prefill)) < 1e-5);
        for (var t = prefill; t < 16; t++)
        {
            using var step = model.Run(ids.narrow(1, t, 1), cache);
            Assert.True(ModelTestData.MaxDifference(step.Logits, full.narrow(1, t, 1)) < 1e-5, $"position {t}");
        }
        Assert.Equal(16, cache.Length);
        Assert.Equal(2L * 2 * 2 * 16 * 32 * 4, cache.BytesInUse); // K and V · layers · batch · positions · width · 4 bytes
    }

    [Fact]
    public void Chunked_prefill_with_the_cache_equals_one_pass_and_a_new_batch_needs_a_reset()
    {
        using var model = new GptModel(GptConfig.Tiny(50));
        using var ids = ModelTestData.Ids(50, batch: 2, time: 15);
        using var full = model.call(ids);
        using var cache = model.CreateCache();
        foreach (var (start, length) in new[] { (0, 4), (4, 6), (10, 5) })
        {
            using var chunk = model.Run(ids.narrow(1, start, length), cache);
            Assert.True(ModelTestData.MaxDifference(chunk.Logits, full.narrow(1, start, length)) < 1e-5);
        }
        using var other = ModelTestData.Ids(50, batch: 3, time: 2);
        Assert.Contains("Reset()", Assert.Throws<ArgumentException>(() => model.Run(other, cache)).Message);
        cache.Reset();
        using var fresh = model.Run(other, cache);
        Assert.Equal(2, cache.Length);
    }

    [Fact]
    public void Sliding_window_cache_keeps_at_most_the_window_and_matches_the_uncached_window()
    {
        const int window = 4;
        using var model = new GptModel(GptConfig.Tiny(50) with { SlidingWindow = window });
        using var ids = ModelTestData.Ids(50, batch: 2, time: 16);
        using var full = model.call(ids);
        using var cache = model.CreateCache();
        using (var first = model.Run(ids.narrow(1, 0, 6), cache))
            Assert.True(ModelTestData.MaxDifference(first.Logits, full.narrow(1, 0, 6)) < 1e-5);
        Assert.Equal(window, cache.StoredLength);
        for (var t = 6; t < 16; t++)
        {
            using var step = model.Run(ids.narrow(1, t, 1), cache);
            Assert.True(ModelTestData.MaxDifference(step.Logits, full.narrow(1, t, 1)) < 1e-5, $"position {t}");
            Assert.True(cache.StoredLength <= window);
        }
        // The window is real: without it the late logits differ.
        using var unwindowed = new GptModel(GptConfig.Tiny(50));
        using var wide = unwindowed.call(ids);
        Assert.True(ModelTestData.MaxDifference(wide.narrow(1, 10, 6), full.narrow(1, 10, 6)) > 1e-4);
        // A window as long as the sequence is full attention.
        using var longWindow = new GptModel(GptConfig.Tiny(50) with { SlidingWindow = 16 });
        using var same = longWindow.call(ids);
        Assert.True(ModelTestData.MaxDifference(same, wide) < 1e-6);
        // Chunks longer than the window after a partly filled cache: the mask must use absolute positions.
        cache.Reset();
        foreach (var (start, length) in new[] { (0, 5), (5, 3), (8, 8) })
        {
            using var chunk = model.Run(ids.narrow(1, start, length), cache);
            Assert.True(ModelTestData.MaxDifference(chunk.Logits, full.narrow(1, start, length)) < 1e-5, $"chunk at {start}");
            Assert.Equal(window, cache.StoredLength);
        }
        // A cache that forgets more than the model allows is refused.
        using var tooShort = new KvCache(2, window: 3);
        Assert.Contains("forget", Assert.Throws<ArgumentException>(() => model.Run(ids, tooShort)).Message);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("learned+bias")]
    [InlineData("rms+swiglu")]
    [InlineData("untied")]
    [InlineData("moe")]
    public void Every_parameter_receives_a_gradient(string variant)
    {
        using var model = new GptModel(ParameterCountTests.Variant(variant));
        using var ids = ModelTestData.Ids(37, batch: 4, time: 16, seed: 3);
        using var targets = ModelTestData.Ids(37, batch: 4, time: 16, seed: 4);
        using var loss = model.Loss(ids, targets);
        loss.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            Assert.True(parameter.grad!.abs().sum().ToDouble() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_and_the_same_losses_after_20_adamw_steps_bit_for_bit()
    {
        var config = GptConfig.Tiny(50);
        var (weightsA, lossesA) = Train(config, seed: 11);
        var (weightsB, lossesB) = Train(config, seed: 11);
        var (weightsC, _) = Train(config, seed: 12);
        Assert.Equal(weightsA, weightsB);
        Assert.NotEqual(weightsA, weightsC);
        Assert.Equal(lossesA, lossesB); // exact float equality
        Assert.True(lossesA[^1] < lossesA[0], "the loss should fall on a repeated batch");
    }

    private static (float[] InitialWeights, float[] Losses) Train(GptConfig config, int seed)
    {
        using var model = new GptModel(config, seed);
        var initial = model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 3e-3);
        using var ids = ModelTestData.Ids(config.VocabSize, batch: 4, time: 16, seed: 1);
        using var targets = ids.roll(-1, 1);
        var losses = new float[20];
        for (var step = 0; step < 20; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = model.Loss(ids, targets);
            loss.backward();
            optimizer.step();
            losses[step] = loss.ToSingle();
        }
        return (initial, losses);
    }

    [Fact]
    public void Bad_ids_are_explained_before_torch_sees_them()
    {
        using var model = new GptModel(GptConfig.Tiny(50) with { Positions = PositionKind.Learned });
        using var tooBig = torch.tensor(new long[] { 1, 2, 50, 3 }).reshape(1, 4);
        var vocab = Assert.Throws<ArgumentException>(() => model.call(tooBig)).Message;
        Assert.Contains("Token id 50 at [0, 2]", vocab);
        Assert.Contains("0..49", vocab);
        using var negative = torch.tensor(new long[] { -1 }).reshape(1, 1);
        Assert.Contains("Token id -1", Assert.Throws<ArgumentException>(() => model.call(negative)).Message);
        // int32 ids, and a non-contiguous view (checked by tensor operations instead of in place), are caught too.
        using var int32 = torch.tensor(new[] { 4, 77 }).reshape(1, 2);
        Assert.Contains("Token id 77 at [0, 1]", Assert.Throws<ArgumentException>(() => model.call(int32)).Message);
        using var strided = torch.tensor(new long[] { 1, 2, 3, 60 }).reshape(2, 2).t();
        Assert.Contains("Token id 60 at [1, 1]", Assert.Throws<ArgumentException>(() => model.call(strided)).Message);
        using var tooLong = torch.zeros([1, 17], dtype: ScalarType.Int64);
        var length = Assert.Throws<ArgumentException>(() => model.call(tooLong)).Message;
        Assert.Contains("ContextLength = 16", length);
        Assert.Contains("Crop", length);
        using var flat = torch.zeros([5], dtype: ScalarType.Int64);
        Assert.Contains("unsqueeze(0)", Assert.Throws<ArgumentException>(() => model.call(flat)).Message);
        using var floats = torch.zeros(1, 5);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => model.call(floats)).Message);

        // With RoPE the model may run past its trained length (context extension needs that).
        using var rope = new GptModel(GptConfig.Tiny(50));
        using var longer = rope.call(tooLong);
        Assert.Equal(17, longer.shape[1]);
    }

    [Fact]
    public void Loading_weights_of_another_config_names_the_mismatched_tensor()
    {
        var config = GptConfig.Tiny(50);
        using var source = new GptModel(config with { MlpWidthPerLayer = [128, 64] });
        using var target = new GptModel(config);
        var shape = Assert.Throws<ArgumentException>(() => target.LoadWeights(source.state_dict())).Message;
        Assert.Contains("'blocks.1.mlp.up_proj.weight' is [64, 32] in the weights but [128, 32] in this model", shape);

        using var rms = new GptModel(config with { Norm = NormKind.RmsNorm, Bias = true });
        using var biased = new GptModel(config with { Bias = true });
        Assert.Contains("'blocks.0.attn_norm.bias'", Assert.Throws<ArgumentException>(() => biased.LoadWeights(rms.state_dict())).Message);
        Assert.Contains("'lm_head.weight'", Assert.Throws<ArgumentException>(() => target.LoadWeights(new GptModel(config with { TiedHead = false }).state_dict())).Message);
    }

    [Fact]
    public void Loading_matching_weights_reproduces_the_logits()
    {
        var config = GptConfig.Tiny(50);
        using var source = new GptModel(config, seed: 1);
        using var target = new GptModel(config, seed: 2);
        using var ids = ModelTestData.Ids(50, 2, 8);
        using var expected = source.call(ids);
        using (var differentBefore = target.call(ids))
            Assert.True(ModelTestData.MaxDifference(expected, differentBefore) > 1e-4);
        target.LoadWeights(source.state_dict());
        using var actual = target.call(ids);
        Assert.Equal(0, ModelTestData.MaxDifference(expected, actual));
    }
}
