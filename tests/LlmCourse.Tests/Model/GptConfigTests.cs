using LlmCourse.Model;

namespace LlmCourse.Tests.Model;

public class GptConfigTests
{
    private static GptConfig Valid => GptConfig.Tiny(vocabSize: 40);

    [Fact]
    public void Presets_are_valid()
    {
        Assert.Empty(GptConfig.Tiny().Problems());
        Assert.Empty(GptConfig.CpuDefault(vocabSize: 96).Problems());
        Assert.Empty(GptConfig.Gpt2Small.Problems());
        Assert.Equal(32, GptConfig.CpuDefault(96).HeadDim);
    }

    public static TheoryData<string, Func<GptConfig, GptConfig>, string> BadFields => new()
    {
        { "VocabSize", c => c with { VocabSize = 0 }, "tokenizer's vocabulary size" },
        { "ContextLength", c => c with { ContextLength = -1 }, "at least 1" },
        { "Layers", c => c with { Layers = 0 }, "at least 1" },
        { "Heads", c => c with { Heads = 0 }, "at least 1" },
        { "Width", c => c with { Width = 30 }, "multiple of 4" },
        { "Positions = Rope", c => c with { Width = 30, Heads = 6 }, "Width / Heads is even" },
        { "Positions = Sinusoidal", c => c with { Positions = PositionKind.Sinusoidal, Width = 33, Heads = 3 }, "even Width" },
        { "MlpWidth", c => c with { MlpWidth = 0 }, "leave it null" },
        { "Dropout", c => c with { Dropout = 1.0 }, "[0, 1)" },
        { "NormEpsilon", c => c with { NormEpsilon = 0 }, "above 0" },
        { "InitStd", c => c with { InitStd = -0.02 }, "0.02" },
        { "RopeBase", c => c with { RopeBase = 1 }, "10000" },
        { "RopeScaling.PositionScale", c => c with { RopeScaling = new RopeScaling(PositionScale: 0) }, "use 1 for no interpolation" },
        { "RopeScaling is set", c => c with { Positions = PositionKind.Learned, RopeScaling = RopeScaling.Linear(2) }, "only applies to RoPE" },
        { "SlidingWindow", c => c with { SlidingWindow = 0 }, "null for full attention" },
        { "Experts", c => c with { Experts = 1 }, "at least 2 experts" },
        { "ExpertsPerToken", c => c with { Experts = 4, ExpertsPerToken = 5 }, "between 1 and Experts = 4" },
        { "MoeAuxLossWeight", c => c with { Experts = 4, MoeAuxLossWeight = -1 }, "0.01" },
        { "HeadsPerLayer", c => c with { HeadsPerLayer = [4] }, "one number of heads per layer" },
        { "MlpWidthPerLayer", c => c with { MlpWidthPerLayer = [64, 0] }, "at least 1" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Each_invalid_field_is_named_with_its_fix(string field, Func<GptConfig, GptConfig> spoil, string fix)
    {
        var config = spoil(Valid);
        var problem = Assert.Single(config.Problems());
        Assert.Contains(field, problem);
        Assert.Contains(fix, problem);
        var error = Assert.Throws<ArgumentException>(() => new GptModel(config));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var config = Valid with { Layers = 0, Dropout = 2 };
        var message = Assert.Throws<ArgumentException>(() => config.Validate()).Message;
        Assert.Contains("Layers = 0", message);
        Assert.Contains("Dropout = 2", message);
    }

    [Fact]
    public void Json_round_trip_keeps_every_field_and_equality_compares_lists_by_content()
    {
        var config = GptConfig.CpuDefault(80) with
        {
            Norm = NormKind.RmsNorm, Mlp = MlpKind.SwiGlu, HeadsPerLayer = [6, 6, 5, 6, 6, 4], RopeScaling = RopeScaling.Ntk(2), Experts = 4,
        };
        var back = GptConfig.FromJson(config.ToJson());
        Assert.Equal(config, back);
        Assert.Equal(config.GetHashCode(), back.GetHashCode());
        Assert.Equal(config with { HeadsPerLayer = [6, 6, 5, 6, 6, 4] }, config);
        Assert.NotEqual(config with { HeadsPerLayer = [6, 6, 6, 6, 6, 4] }, config);
        Assert.Contains("\"Norm\": \"RmsNorm\"", config.ToJson());
        Assert.Contains("GptConfig.ToJson", Assert.Throws<ArgumentException>(() => GptConfig.FromJson("{ not json")).Message);
    }

    [Fact]
    public void SwiGlu_default_hidden_width_matches_the_gelu_parameter_count()
    {
        var gelu = GptConfig.CpuDefault(64);
        var swiglu = gelu with { Mlp = MlpKind.SwiGlu };
        Assert.Equal(512, swiglu.HiddenWidth);
        Assert.Equal(gelu.ParameterCount(), swiglu.ParameterCount());
    }
}
