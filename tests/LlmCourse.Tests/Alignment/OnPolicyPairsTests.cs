using LlmCourse.Alignment;
using LlmCourse.Training;
using TorchSharp;

namespace LlmCourse.Tests.Alignment;

public class OnPolicyPairsTests
{
    private static readonly int[][] Prompts = Enumerable.Range(0, 12).Select(i => new[] { 8 + i % 16, 9 + i % 14, 10 + i % 12 }).ToArray();

    /// <summary>A toy property, true for a bit under half of a random model's answers: the answer starts with a low id (1–11).</summary>
    private static double[] StartsLow(int[] prompt, IReadOnlyList<SampledResponse> responses) =>
        responses.Select(r => r.Tokens[0] is > 0 and < 12 ? 1.0 : 0.0).ToArray();

    /// <summary>Share of fresh samples (a fixed seed) that the toy property calls good.</summary>
    private static double JudgedAccuracy(LlmCourse.Model.GptModel model)
    {
        using var generator = new torch.Generator(99);
        return Prompts.SelectMany(p => StartsLow(p, PolicySampler.Sample(model, p, 32, 4, AlignmentToys.Stop, 1.0, generator))).Average();
    }

    [Fact]
    public void Match_pairs_only_strictly_better_with_worse_and_uses_each_answer_once()
    {
        var random = new SeededRandom(1);
        for (var trial = 0; trial < 200; trial++)
        {
            var count = 2 + (int)random.NextLong(10);
            var answers = Enumerable.Range(0, count).Select(_ => new[] { (int)random.NextLong(4), 0 }).ToList(); // many duplicates
            var scores = answers.Select(a => (double)(a[0] % 3)).ToList();                                      // equal answers, equal scores
            var pairs = OnPolicyPairs.Match(answers, scores, maxPairs: 3, random);

            Assert.True(pairs.Count <= 3);
            var used = pairs.SelectMany(p => new[] { p.Chosen, p.Rejected }).ToList();
            Assert.Equal(used.Count, used.Distinct().Count());
            Assert.All(pairs, p =>
            {
                Assert.True(scores[p.Chosen] > scores[p.Rejected], $"{scores[p.Chosen]} vs {scores[p.Rejected]}");
                Assert.False(answers[p.Chosen].SequenceEqual(answers[p.Rejected]));
            });
            // A pair exists exactly when the scores differ (equal answers have equal scores here).
            Assert.Equal(scores.Distinct().Count() > 1, pairs.Count > 0);
        }
    }

    [Fact]
    public void Match_never_pairs_answers_that_are_judged_alike_or_identical()
    {
        var random = new SeededRandom(2);
        Assert.Empty(OnPolicyPairs.Match([[1, 0], [2, 0], [3, 0]], [1.0, 1.0, 1.0], 4, random));
        Assert.Empty(OnPolicyPairs.Match([[1, 0], [1, 0]], [1.0, 0.0], 4, random)); // impossible from a judge, but identical answers are one answer
        double[] scores = [1.0, 0.0, 1.0, 0.0];
        var pairs = OnPolicyPairs.Match([[1, 0], [2, 0], [3, 0], [4, 0]], scores, 4, random);
        Assert.Equal(2, pairs.Count); // two good, two bad: each used once
        Assert.All(pairs, p => Assert.Equal((1.0, 0.0), (scores[p.Chosen], scores[p.Rejected])));
        Assert.Contains("one score per answer", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Match([[1]], [1.0, 0.0], 1, random)).Message);
        Assert.Contains("at least one pair", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Match([[1]], [1.0], 0, random)).Message);
    }

    [Fact]
    public void Build_is_deterministic_and_every_pair_comes_from_a_prompt_whose_samples_disagree()
    {
        using var model = AlignmentToys.Model(seed: 4);
        var settings = new OnPolicySettings(SamplesPerPrompt: 8, MaxNewTokens: 8, MaxPairsPerPrompt: 2, Seed: 5);
        var a = OnPolicyPairs.Build(model, Prompts, StartsLow, AlignmentToys.Stop, settings);
        var b = OnPolicyPairs.Build(model, Prompts, StartsLow, AlignmentToys.Stop, settings);
        var c = OnPolicyPairs.Build(model, Prompts, StartsLow, AlignmentToys.Stop, settings with { Seed = 6 });

        static string Show(OnPolicyPairSet set) => string.Join(";", set.Pairs.Select(p => $"{p.PromptIndex}:{string.Join(',', p.Chosen.Tokens)}>{string.Join(',', p.Rejected.Tokens)}"));
        Assert.NotEmpty(a.Pairs);
        Assert.Equal(Show(a), Show(b));
        Assert.NotEqual(Show(a), Show(c));
        Assert.Equal(Prompts.Length, a.Prompts);
        Assert.All(a.Pairs, p =>
        {
            Assert.Equal(1.0, p.ChosenScore); // a 1/0 judge: every pair is a good answer against a bad one
            Assert.Equal(0.0, p.RejectedScore);
            Assert.Equal(1.0, StartsLow(p.Prompt, [p.Chosen])[0]);
            Assert.Equal(0.0, StartsLow(p.Prompt, [p.Rejected])[0]);
            Assert.Same(Prompts[p.PromptIndex], p.Prompt);
            p.Ids.Validate();
        });
        var disagreeing = a.Scores.Select((s, i) => (s, i)).Where(x => x.s.Distinct().Count() > 1).Select(x => x.i).ToHashSet();
        Assert.Equal(disagreeing.Count, a.PromptsWithDisagreement);
        Assert.All(a.Pairs, p => Assert.Contains(p.PromptIndex, disagreeing));
        Assert.All(a.Pairs.GroupBy(p => p.PromptIndex), g => Assert.True(g.Count() <= 2));
        Assert.Equal(a.Scores.SelectMany(s => s).Average(), a.MeanScore, 12);
    }

    [Fact]
    public void Dpo_on_on_policy_pairs_raises_the_judged_accuracy_of_a_toy()
    {
        using var policy = AlignmentToys.Model(seed: 4);
        using var reference = AlignmentToys.Model(seed: 4);
        var before = JudgedAccuracy(policy);
        var set = OnPolicyPairs.Build(reference, Prompts, StartsLow, AlignmentToys.Stop, new OnPolicySettings(SamplesPerPrompt: 24, MaxNewTokens: 4, MaxPairsPerPrompt: 8, Seed: 3));
        DpoTrainer.Train(policy, reference, set.Pairs.Select(p => p.Ids).ToList(), new DpoSettings(Beta: 0.5, Steps: 40, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 2));
        var after = JudgedAccuracy(policy);
        Assert.True(after > before + 0.15, $"judged accuracy {before:P1} → {after:P1} ({set.Pairs.Count} pairs)");
    }

    [Fact]
    public void Rloo_with_the_judge_as_reward_raises_the_judged_accuracy_of_a_toy()
    {
        using var policy = AlignmentToys.Model(seed: 4);
        using var reference = AlignmentToys.Model(seed: 4);
        var before = JudgedAccuracy(policy);
        var history = RlooTrainer.Train(policy, reference, Prompts, StartsLow, AlignmentToys.Stop,
            new RlooSettings(Steps: 30, PromptsPerStep: 4, SamplesPerPrompt: 8, KlCoefficient: 0.01, MaxNewTokens: 4, LearningRate: 1e-2));
        var after = JudgedAccuracy(policy);
        Assert.Null(history.StoppedBy);
        Assert.True(after > before + 0.15, $"judged accuracy {before:P1} → {after:P1}");
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        using var model = AlignmentToys.Model();
        var settings = new OnPolicySettings(SamplesPerPrompt: 4, MaxNewTokens: 4);
        Assert.Contains("No prompts", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, [], StartsLow, 0, settings)).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, Prompts, StartsLow, 0, settings with { SamplesPerPrompt = 1 })).Message);
        Assert.Contains("greedy", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, Prompts, StartsLow, 0, settings with { Temperature = 0 })).Message);
        Assert.Contains("at least one pair", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, Prompts, StartsLow, 0, settings with { MaxPairsPerPrompt = 0 })).Message);
        Assert.Contains("one per answer", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, Prompts, (_, _) => [1.0], 0, settings)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => OnPolicyPairs.Build(model, Prompts, (_, r) => r.Select(_ => double.NaN).ToArray(), 0, settings)).Message);
    }
}
