using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class DpoTrainerTests
{
    [Fact]
    public void Dpo_starts_at_log_2_and_learns_to_prefer_the_chosen_answers()
    {
        using var policy = AlignmentToys.Model(seed: 8);
        using var reference = AlignmentToys.Model(seed: 8);
        var pairs = AlignmentToys.Pairs(48, seed: 6);
        var history = DpoTrainer.Train(policy, reference, pairs, new DpoSettings(Beta: 0.5, Steps: 25, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 2));

        Assert.Equal(Math.Log(2), history[0].Loss, 4);
        Assert.Equal(0, history[0].Margin, 4);
        Assert.True(history[^1].Loss < 0.4, $"DPO loss at the end {history[^1].Loss:F3}");
        Assert.True(history.TakeLast(5).Average(s => s.Accuracy) > 0.9);
        Assert.True(history[^1].Margin > 1);
    }

    private static readonly DpoSettings ToySettings = new(Beta: 0.5, Steps: 25, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 2);

    /// <summary>The last step of a toy DPO run from the same policy, reference and pairs as the first test.</summary>
    private static DpoStep LastToyStep(DpoSettings settings)
    {
        using var policy = AlignmentToys.Model(seed: 8);
        using var reference = AlignmentToys.Model(seed: 8);
        return DpoTrainer.Train(policy, reference, AlignmentToys.Pairs(48, seed: 6), settings)[^1];
    }

    [Fact]
    public void The_chosen_nll_term_keeps_the_winners_likelier_than_plain_dpo_does()
    {
        var plain = LastToyStep(ToySettings).ChosenNll;
        var withNll = LastToyStep(ToySettings with { ChosenNllWeight = 1 }).ChosenNll;
        Assert.True(withNll < plain - 0.05, $"chosen NLL per token: plain DPO {plain:F3}, with the NLL term {withNll:F3}");
    }

    [Fact]
    public void Without_the_preference_term_the_rejected_answers_are_not_pushed_down()
    {
        var nllOnly = LastToyStep(ToySettings with { ChosenNllWeight = 1, PreferenceWeight = 0 });
        var both = LastToyStep(ToySettings with { ChosenNllWeight = 1 });
        // The DPO loss is still reported (not trained on) in the NLL-only run: its margin stays far below the full run's.
        Assert.True(both.Margin > nllOnly.Margin + 0.5, $"implicit reward margin: with the preference term {both.Margin:F2}, without {nllOnly.Margin:F2}");
        Assert.True(both.RejectedReward < nllOnly.RejectedReward, $"rejected reward: with {both.RejectedReward:F2}, without {nllOnly.RejectedReward:F2}");
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        using var policy = AlignmentToys.Model();
        using var reference = AlignmentToys.Model();
        var pairs = AlignmentToys.Pairs(4, seed: 1);
        Assert.Contains("same model object", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, policy, pairs, new DpoSettings(Steps: 1))).Message);
        Assert.Contains("β > 0", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference, pairs, new DpoSettings(Beta: 0, Steps: 1))).Message);
        Assert.Contains("ChosenNllWeight = -1", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference, pairs, new DpoSettings(Steps: 1, ChosenNllWeight: -1))).Message);
        Assert.Contains("not both 0", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference, pairs, new DpoSettings(Steps: 1, PreferenceWeight: 0))).Message);
        Assert.Contains("chosen == rejected", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference,
            [new PreferenceIds([1], [2, 0], [2, 0])], new DpoSettings(Steps: 1))).Message);
    }
}
