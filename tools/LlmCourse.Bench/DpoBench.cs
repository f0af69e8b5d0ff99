using System.Diagnostics;
using System.Globalization;
using LlmCourse.Alignment;
using LlmCourse.Data;
using LlmCourse.Training;

namespace LlmCourse.Bench;

/// <summary>
/// Notebook 6c's DPO, outside the notebook, for choosing its settings: on-policy pairs from the SFT model on the
/// practice prompts (as 6c builds them), then one DPO run per argument, scored like 6c's table (held-out instructions
/// and new counting prompts: greedy accuracy, sampled quality against SFT, KL, forgetting).
/// <c>-- dpo lr=1e-4,steps=60,rounds=1,beta=0.1,nll=1,pref=1 lr=1e-4,steps=60,rounds=2 ...</c>. rounds &gt; 1 is iterative DPO: after each
/// round the pairs are sampled again from the current policy (the reference stays the SFT model).
/// </summary>
public sealed class DpoBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "dpo";

    /// <inheritdoc />
    public string Description => "6c's DPO with given settings (lr, steps, rounds, beta): accuracy, sampled quality, KL vs SFT";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var sft = GptCheckpoint.Load(SftRecipe.Folder);
        using var sftModel = sft.Model;
        var tokenizer = sft.Tokenizer!;
        var template = SftRecipe.Template(sftModel, tokenizer);
        var instructions = AlignmentDataFiles.LoadInstructions();
        var fresh = PracticePrompts.WordCounts(instructions, 384 + 200);
        var trainItems = fresh.Take(384).ToList();
        var newCountItems = fresh.Skip(384).ToList();
        var trainPrompts = trainItems.Select(i => template.PromptIds(i.User, i.System)).ToList();
        var judge = new PropertyJudge(template, trainItems);
        var onPolicy = new OnPolicySettings(SamplesPerPrompt: 8, Temperature: 1.0, MaxNewTokens: 20, MaxPairsPerPrompt: 2);
        var clock = Stopwatch.StartNew();
        var first = OnPolicyPairs.Build(sftModel, trainPrompts, judge.Score, template.EndId, onPolicy);
        Console.WriteLine($"pairs: {first.Pairs.Count} from {trainPrompts.Count} prompts in {clock.Elapsed.TotalSeconds:F0} s (load {Load()})");
        var scorecard = new PreferenceScorecard(sftModel, template, instructions.HeldOut, newCountItems, null, Corpus.Austen.Validation[..20_000]);
        var rows = new List<ScorecardRow> { scorecard.Measure("SFT", sftModel) };
        foreach (var arm in args)
        {
            var options = arm.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
            var settings = new DpoSettings(Beta: options.GetValueOrDefault("beta", 0.1), Steps: (int)options.GetValueOrDefault("steps", 60), BatchSize: 16,
                LearningRate: options.GetValueOrDefault("lr", 3e-5), WarmupSteps: 10, ChosenNllWeight: options.GetValueOrDefault("nll", 0), PreferenceWeight: options.GetValueOrDefault("pref", 1));
            var rounds = (int)options.GetValueOrDefault("rounds", 1);
            var policy = GptCheckpoint.Load(SftRecipe.Folder).Model;
            clock.Restart();
            var set = first;
            for (var round = 1; round <= rounds; round++)
            {
                if (round > 1)
                    set = OnPolicyPairs.Build(policy, trainPrompts, judge.Score, template.EndId, onPolicy with { Seed = onPolicy.Seed + round });
                var steps = DpoTrainer.Train(policy, sftModel, set.Pairs.Select(p => p.Ids).ToList(), settings with { Seed = settings.Seed + round });
                Console.WriteLine($"{arm} round {round}: {set.Pairs.Count} pairs ({set.MeanScore:P1} of samples good), last loss {steps[^1].Loss:F3}, margin {steps[^1].Margin:F2}, chosen NLL {steps[0].ChosenNll:F3} → {steps[^1].ChosenNll:F3}, rewards chosen {steps[^1].ChosenReward:F2} rejected {steps[^1].RejectedReward:F2}");
            }
            rows.Add(scorecard.Measure(arm, policy, clock.Elapsed));
        }
        Console.WriteLine(PreferenceScorecard.Render(rows, "new counting prompts"));
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
