using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class MixtureOfExpertsTests
{
    [Fact]
    public void Each_token_goes_to_k_distinct_experts_whose_gates_sum_to_one()
    {
        using var moe = new MixtureOfExperts(width: 16, hidden: 32, count: 4, topK: 2, MlpKind.Gelu, bias: false);
        using var generator = new Generator(5);
        using var x = torch.randn([3, 7, 16], generator: generator);
        var routed = moe.Route(x);
        Assert.Equal(x.shape, routed.Output.shape);
        Assert.Equal(new long[] { 21, 2 }, routed.Choices.shape);
        Assert.True(torch.allclose(routed.Gates.sum(-1), torch.ones(21), rtol: 0, atol: 1e-6));
        Assert.True(torch.allclose(routed.Probabilities.sum(-1), torch.ones(21), rtol: 0, atol: 1e-6));
        Assert.True(routed.Choices[.., 0].ne(routed.Choices[.., 1]).all().ToBoolean());
    }

    [Fact]
    public void Output_is_the_gate_weighted_sum_of_the_chosen_experts()
    {
        using var moe = new MixtureOfExperts(width: 8, hidden: 16, count: 3, topK: 2, MlpKind.SwiGlu, bias: true);
        using var generator = new Generator(6);
        using var x = torch.randn([5, 8], generator: generator);
        var routed = moe.Route(x);
        for (var token = 0; token < 5; token++)
        {
            using var expected = torch.zeros(8);
            for (var slot = 0; slot < 2; slot++)
            {
                var expert = (int)routed.Choices[token, slot].ToInt64();
                expected.add_(moe.Experts[expert].call(x[token].unsqueeze(0))[0] * routed.Gates[token, slot]);
            }
            Assert.True(torch.allclose(expected, routed.Output[token], rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void Balancing_loss_is_one_when_balanced_and_larger_when_the_router_plays_favourites()
    {
        const int experts = 4;
        // Balanced: uniform probabilities, every expert chosen equally often.
        using var uniform = torch.full([8, experts], 0.25);
        using var roundRobin = torch.tensor(new long[] { 0, 1, 2, 3, 1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2 }).reshape(8, 2);
        Assert.Equal(1.0, MixtureOfExperts.LoadBalancingLoss(uniform, roundRobin, experts).ToDouble(), 1e-6);
        // Favourites: expert 0 gets most of the probability and half of all slots.
        using var skewed = torch.tensor(new[] { 0.7, 0.1, 0.1, 0.1 }).expand(8, experts).contiguous();
        using var favourites = torch.tensor(new long[] { 0, 1, 0, 2, 0, 3, 0, 1, 0, 2, 0, 3, 0, 1, 0, 2 }).reshape(8, 2);
        var skewedLoss = MixtureOfExperts.LoadBalancingLoss(skewed, favourites, experts).ToDouble();
        Assert.True(skewedLoss > 1.2, $"skewed routing should cost more than balanced, got {skewedLoss}");
    }

    [Fact]
    public void A_moe_model_adds_the_weighted_balancing_loss_to_the_language_model_loss()
    {
        var config = GptConfig.Tiny(40) with { Experts = 4, ExpertsPerToken = 2, MoeAuxLossWeight = 0.5 };
        using var model = new GptModel(config);
        using var ids = ModelTestData.Ids(40, 2, 12);
        using var targets = ids.roll(-1, 1);
        using var output = model.Run(ids);
        Assert.NotNull(output.AuxLoss);
        // One balancing loss per layer (2 layers), each near 1 for a fresh router and at most the expert count.
        Assert.InRange(output.AuxLoss!.ToDouble(), 1.9, 2 * 4);
        using var lmLoss = torch.nn.functional.cross_entropy(output.Logits.reshape(-1, 40), targets.reshape(-1));
        using var total = model.Loss(ids, targets);
        Assert.Equal(lmLoss.ToDouble() + 0.5 * output.AuxLoss.ToDouble(), total.ToDouble(), 1e-5);
    }

    [Fact]
    public void Routing_can_be_recorded_per_layer()
    {
        using var model = new GptModel(GptConfig.Tiny(40) with { Experts = 3, ExpertsPerToken = 1 });
        using var ids = ModelTestData.Ids(40, 1, 9);
        using var trace = new ForwardTrace { Routing = true };
        using var output = model.Run(ids, trace: trace);
        Assert.Equal(2, trace.ExpertChoices.Count);
        Assert.Equal(new long[] { 9, 1 }, trace.ExpertChoices[0].shape);
        Assert.Equal(new long[] { 9, 3 }, trace.RouterProbabilities[1].shape);
    }
}
