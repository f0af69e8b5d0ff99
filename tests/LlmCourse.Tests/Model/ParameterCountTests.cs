using LlmCourse.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class ParameterCountTests
{
    public static TheoryData<string> Variants => new()
    {
        "tiny", "learned+bias", "sinusoidal", "rms+swiglu", "untied", "moe", "moe+swiglu+untied", "pruned-shapes", "mlp-width",
    };

    internal static GptConfig Variant(string name)
    {
        var tiny = GptConfig.Tiny(vocabSize: 37);
        return name switch
        {
            "tiny" => tiny,
            "learned+bias" => tiny with { Positions = PositionKind.Learned, Bias = true },
            "sinusoidal" => tiny with { Positions = PositionKind.Sinusoidal, Layers = 3 },
            "rms+swiglu" => tiny with { Norm = NormKind.RmsNorm, Mlp = MlpKind.SwiGlu, Bias = true },
            "untied" => tiny with { TiedHead = false, Bias = true },
            "moe" => tiny with { Experts = 4, ExpertsPerToken = 2 },
            "moe+swiglu+untied" => tiny with { Experts = 3, ExpertsPerToken = 1, Mlp = MlpKind.SwiGlu, TiedHead = false, Norm = NormKind.RmsNorm },
            "pruned-shapes" => tiny with { HeadsPerLayer = [4, 1], MlpWidthPerLayer = [100, 7], Bias = true },
            "mlp-width" => tiny with { MlpWidth = 50, Heads = 2 },
            _ => throw new ArgumentException(name),
        };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Formula_equals_the_live_module(string variant)
    {
        var config = Variant(variant);
        using var model = new GptModel(config);
        Assert.Equal(model.ParameterCount, config.ParameterCount());
        // Each tensor is listed once: the tied head adds no parameter.
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(config.TiedHead, !names.Contains("lm_head.weight"));
    }

    [Fact]
    public void Gpt2_small_with_tied_head_has_124_439_808_parameters()
    {
        var config = GptConfig.Gpt2Small;
        Assert.Equal(124_439_808, config.ParameterCount());
        using var model = new GptModel(config, initialize: false); // zeros: counting needs no random draws
        Assert.Equal(124_439_808, model.ParameterCount);
    }

    [Theory]
    [InlineData("untied")]
    [InlineData("pruned-shapes")]
    [InlineData("moe+swiglu+untied")]
    public void Flops_formula_equals_the_multiply_adds_the_linear_layers_perform(string variant)
    {
        // Untied heads only: a tied head is F.linear on the embedding matrix, not a module a hook can see.
        var config = Variant(variant) with { TiedHead = false };
        using var model = new GptModel(config);
        long counted = 0;
        foreach (var (_, linear) in model.NamedLinears())
            linear.register_forward_hook((module, input, output) =>
            {
                var l = (Linear)module;
                counted += 2 * l.in_features * l.out_features * (input.numel() / l.in_features);
                return output;
            });
        using var ids = ModelTestData.Ids(config.VocabSize, batch: 3, time: 10);
        using var logits = model.call(ids);
        Assert.Equal(2 * config.MatmulWeightsPerToken() * 30, counted);
    }

    [Fact]
    public void Kv_cache_bytes_per_token_follow_the_heads_of_each_layer()
    {
        var config = Variant("pruned-shapes"); // heads 4 and 1 of 8
        Assert.Equal(2L * 4 * (4 * 8 + 1 * 8), config.KvCacheBytesPerToken());
    }
}
