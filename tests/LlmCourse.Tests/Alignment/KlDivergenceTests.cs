using LlmCourse.Alignment;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class KlDivergenceTests
{
    private static Tensor RandomLogDistributions(ulong seed, float scale = 3)
    {
        using var generator = new Generator(seed);
        return (torch.randn([3, 5, 11], generator: generator) * scale).log_softmax(-1);
    }

    [Fact]
    public void Exact_KL_is_never_negative_and_zero_for_identical_distributions()
    {
        using var scope = NewDisposeScope();
        var mask = torch.ones(3, 5);
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var p = RandomLogDistributions(seed);
            var q = RandomLogDistributions(seed + 100);
            Assert.All(KlDivergence.Exact(p, q, mask).data<float>().ToArray(), kl => Assert.True(kl > 0, $"KL {kl}"));
            Assert.All(KlDivergence.Exact(p, p, mask).data<float>().ToArray(), kl => Assert.Equal(0, kl, 6));
        }
    }

    [Fact]
    public void Exact_KL_matches_the_definition_on_one_position()
    {
        using var scope = NewDisposeScope();
        double[] p = [0.7, 0.2, 0.1], q = [0.4, 0.4, 0.2];
        var expected = p.Zip(q, (a, b) => a * Math.Log(a / b)).Sum();
        var logP = torch.tensor(p.Select(v => (float)Math.Log(v)).ToArray()).view(1, 1, 3);
        var logQ = torch.tensor(q.Select(v => (float)Math.Log(v)).ToArray()).view(1, 1, 3);
        Assert.Equal(expected, KlDivergence.Exact(logP, logQ, torch.ones(1, 1)).ToDouble(), 5);
    }

    [Fact]
    public void Masked_positions_do_not_count()
    {
        using var scope = NewDisposeScope();
        var p = RandomLogDistributions(1);
        var q = RandomLogDistributions(2);
        var full = KlDivergence.Exact(p, q, torch.ones(3, 5));
        var firstTwo = KlDivergence.Exact(p, q, torch.cat([torch.ones(3, 2), torch.zeros(3, 3)], 1));
        var expectedFirstTwo = KlDivergence.Exact(p.narrow(1, 0, 2), q.narrow(1, 0, 2), torch.ones(3, 2));
        Assert.True(firstTwo.allclose(expectedFirstTwo, rtol: 1e-5, atol: 1e-6));
        Assert.True(full.gt(firstTwo).all().ToBoolean());
    }

    [Fact]
    public void Sampled_k3_is_never_negative_k1_can_be_and_both_are_zero_for_identical_policies()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var policy = -torch.rand([4, 6], generator: generator) * 5;
        var reference = -torch.rand([4, 6], generator: generator) * 5;
        var mask = torch.ones(4, 6);

        Assert.All(KlDivergence.SampledK3(policy, reference, mask).data<float>().ToArray(), kl => Assert.True(kl >= 0));
        Assert.Contains(KlDivergence.SampledK1(policy, reference, mask).data<float>().ToArray(), kl => kl < 0); // why k3 is reported
        Assert.All(KlDivergence.SampledK1(policy, policy, mask).data<float>().ToArray(), kl => Assert.Equal(0, kl));
        Assert.All(KlDivergence.SampledK3(policy, policy, mask).data<float>().ToArray(), kl => Assert.Equal(0, kl));
    }

    [Fact]
    public void Exact_KL_between_two_copies_of_one_model_on_a_batch_is_zero()
    {
        using var scope = NewDisposeScope();
        using var a = AlignmentToys.Model(seed: 4);
        using var b = AlignmentToys.Model(seed: 4);
        using var c = AlignmentToys.Model(seed: 5);
        using var batch = AnswerBatch.Create([([1, 2, 3], [4, 5, 0]), ([9], [10, 0])], 16);
        using var noGrad = no_grad();
        var same = KlDivergence.Exact(AnswerLogProbs.Distributions(a, batch), AnswerLogProbs.Distributions(b, batch), batch.AnswerMask);
        var other = KlDivergence.Exact(AnswerLogProbs.Distributions(a, batch), AnswerLogProbs.Distributions(c, batch), batch.AnswerMask);
        Assert.All(same.data<float>().ToArray(), kl => Assert.Equal(0, kl, 6));
        Assert.All(other.data<float>().ToArray(), kl => Assert.True(kl > 0));
    }

    [Fact]
    public void Mismatched_shapes_are_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => KlDivergence.Exact(RandomLogDistributions(1), RandomLogDistributions(2).narrow(1, 0, 4), torch.ones(3, 5)));
        Assert.Contains("same batch", e.Message);
    }
}

public class PolicyDriftTests
{
    [Fact]
    public void Drift_is_zero_for_a_copy_and_positive_for_another_model()
    {
        using var a = AlignmentToys.Model(seed: 4);
        using var b = AlignmentToys.Model(seed: 4);
        using var c = AlignmentToys.Model(seed: 5);
        int[][] prompts = [[9, 10], [11, 12, 13]];
        Assert.Equal(0, PolicyDrift.MeanKl(a, b, prompts, AlignmentToys.Stop, maxNewTokens: 6), 6);
        Assert.True(PolicyDrift.MeanKl(a, c, prompts, AlignmentToys.Stop, maxNewTokens: 6) > 0);
        Assert.Contains("No prompts", Assert.Throws<ArgumentException>(() => PolicyDrift.MeanKl(a, b, [], 0)).Message);
    }
}
