using LlmCourse.Alignment;
using TorchSharp;

namespace LlmCourse.Tests.Alignment;

public class RlooTests
{
    private static readonly int[][] Prompts = [[9, 10, 11], [12, 13], [14, 15, 16, 17]];

    /// <summary>A toy reward that likes one token: the share of a response's tokens that are <see cref="AlignmentToys.Liked"/>.</summary>
    private static double[] LikesToken(int[] prompt, IReadOnlyList<SampledResponse> responses) =>
        responses.Select(r => r.Tokens.Count(t => t == AlignmentToys.Liked) / (double)r.Tokens.Length).ToArray();

    private static double MeanReward(LlmCourse.Model.GptModel model, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        return Prompts.SelectMany(p => LikesToken(p, PolicySampler.Sample(model, p, 24, 8, AlignmentToys.Stop, 1.0, generator))).Average();
    }

    [Fact]
    public void Rloo_raises_the_mean_reward_of_a_toy_reward_within_30_steps()
    {
        using var policy = AlignmentToys.Model(seed: 11);
        using var reference = AlignmentToys.Model(seed: 11);
        var before = MeanReward(policy, 5);

        var history = RlooTrainer.Train(policy, reference, Prompts, LikesToken, AlignmentToys.Stop,
            new RlooSettings(Steps: 30, PromptsPerStep: 3, SamplesPerPrompt: 4, KlCoefficient: 0.01, MaxNewTokens: 8, LearningRate: 1e-2));
        var after = MeanReward(policy, 5);

        Assert.Null(history.StoppedBy);
        Assert.Equal(30, history.Steps.Count);
        Assert.True(after > before + 0.2, $"mean reward {before:F3} → {after:F3}");
        Assert.Equal(0, history.Steps[0].Kl, 4); // the first samples come from a policy still equal to the reference
        Assert.True(history.Steps[^1].Kl > 0);
    }

    [Fact]
    public void Leave_one_out_baseline_is_the_mean_of_the_others()
    {
        // Group 1: [1, 3] → baselines 3 and 1. Group 2: [0, 0] → nothing to learn.
        Assert.Equal([-2.0, 2.0, 0.0, 0.0], RlooTrainer.Advantages([1, 3, 0, 0], k: 2));
        var three = RlooTrainer.Advantages([1, 2, 6], k: 3);
        Assert.Equal(1 - 4.0, three[0], 10);
        Assert.Equal(2 - 3.5, three[1], 10);
        Assert.Equal(6 - 1.5, three[2], 10);
    }

    [Fact]
    public void The_KL_budget_guard_stops_a_run_that_drifts()
    {
        using var policy = AlignmentToys.Model(seed: 11);
        using var reference = AlignmentToys.Model(seed: 11);
        var history = RlooTrainer.Train(policy, reference, Prompts, LikesToken, AlignmentToys.Stop,
            new RlooSettings(Steps: 40, PromptsPerStep: 3, SamplesPerPrompt: 4, KlCoefficient: 0, MaxNewTokens: 8, LearningRate: 3e-2, KlBudget: 0.05));
        Assert.NotNull(history.StoppedBy);
        Assert.Contains("KL budget", history.StoppedBy);
        Assert.True(history.Steps.Count < 40);
        Assert.True(history.Steps[^1].Kl > 0.05);
    }

    [Fact]
    public void The_unfinished_guard_replaces_the_reward_of_cut_off_responses()
    {
        using var policy = AlignmentToys.Model(seed: 11);
        using var reference = AlignmentToys.Model(seed: 11);
        // A budget of one token: only a response that is exactly the stop token finishes.
        var history = RlooTrainer.Train(policy, reference, Prompts, (_, r) => r.Select(_ => 1.0).ToArray(), AlignmentToys.Stop,
            new RlooSettings(Steps: 1, PromptsPerStep: 3, SamplesPerPrompt: 4, MaxNewTokens: 1, LearningRate: 1e-6, UnfinishedReward: -1));
        var step = history.Steps[0];
        Assert.True(step.Unfinished > 0);
        Assert.Equal(1 - 2 * step.Unfinished, step.Reward, 6);
    }

    [Fact]
    public void Bad_settings_are_clear_errors()
    {
        using var policy = AlignmentToys.Model();
        using var reference = AlignmentToys.Model();
        var settings = new RlooSettings(Steps: 1, MaxNewTokens: 8);
        Assert.Contains("k >= 2", Assert.Throws<ArgumentException>(() => RlooTrainer.Train(policy, reference, Prompts, LikesToken, 0, settings with { SamplesPerPrompt = 1 })).Message);
        Assert.Contains("same model object", Assert.Throws<ArgumentException>(() => RlooTrainer.Train(policy, policy, Prompts, LikesToken, 0, settings)).Message);
        Assert.Contains("No prompts", Assert.Throws<ArgumentException>(() => RlooTrainer.Train(policy, reference, [], LikesToken, 0, settings)).Message);
        Assert.Contains("one per response", Assert.Throws<ArgumentException>(() => RlooTrainer.Train(policy, reference, Prompts, (_, _) => [1.0], 0, settings)).Message);
    }

    [Fact]
    public void Sampler_is_reproducible_stops_at_the_stop_token_and_keeps_the_budget()
    {
        using var model = AlignmentToys.Model();
        using var g1 = new torch.Generator(3);
        using var g2 = new torch.Generator(3);
        var a = PolicySampler.Sample(model, [9, 10], 16, 6, AlignmentToys.Stop, 1.5, g1);
        var b = PolicySampler.Sample(model, [9, 10], 16, 6, AlignmentToys.Stop, 1.5, g2);
        Assert.Equal(a.Select(r => string.Join(",", r.Tokens)), b.Select(r => string.Join(",", r.Tokens)));
        Assert.All(a, r =>
        {
            Assert.InRange(r.Tokens.Length, 1, 6);
            Assert.Equal(r.Finished, r.Tokens[^1] == AlignmentToys.Stop);
            Assert.DoesNotContain(AlignmentToys.Stop, r.Tokens[..^1]);
            if (!r.Finished)
                Assert.Equal(6, r.Tokens.Length);
        });
        Assert.Contains("exceeds the context", Assert.Throws<ArgumentException>(() => PolicySampler.Sample(model, new int[12], 2, 6, 0, 1, g1)).Message);
    }
}
