using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class GeluApproximationTests
{
    [Fact]
    public void The_tanh_MLP_computes_GPT2s_formula_and_differs_from_the_exact_one()
    {
        using var tanhMlp = new FeedForward(8, 16, MlpKind.Gelu, bias: true, GeluApproximation.Tanh);
        using var exactMlp = new FeedForward(8, 16, MlpKind.Gelu, bias: true);
        exactMlp.load_state_dict(tanhMlp.state_dict());
        using var generator = new Generator(3);
        using var x = torch.randn([5, 8], generator: generator).mul_(3);
        using var scope = torch.NewDisposeScope();
        var weights = tanhMlp.state_dict();
        var hidden = x.mm(weights["up_proj.weight"].t()) + weights["up_proj.bias"];
        var gelu = 0.5 * hidden * (1 + ((hidden + 0.044715 * hidden.pow(3)) * Math.Sqrt(2 / Math.PI)).tanh());
        var expected = gelu.mm(weights["down_proj.weight"].t()) + weights["down_proj.bias"];

        Assert.InRange(ModelTestData.MaxDifference(tanhMlp.call(x), expected), 0, 1e-5);
        Assert.True(ModelTestData.MaxDifference(exactMlp.call(x), expected) > 1e-4, "the exact GELU should differ measurably from the tanh one");
    }

    [Fact]
    public void GPT2_small_uses_the_tanh_GELU_and_the_setting_survives_json()
    {
        Assert.Equal(GeluApproximation.Tanh, GptConfig.Gpt2Small.Gelu);
        Assert.Equal(GeluApproximation.None, GptConfig.CpuDefault(64).Gelu);
        var config = GptConfig.Tiny() with { Gelu = GeluApproximation.Tanh };
        Assert.Equal(GeluApproximation.Tanh, GptConfig.FromJson(config.ToJson()).Gelu);
        Assert.Contains("Gelu = 7", string.Join(" ", (config with { Gelu = (GeluApproximation)7 }).Problems()));
    }
}
