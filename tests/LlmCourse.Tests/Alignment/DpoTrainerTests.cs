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

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        using var policy = AlignmentToys.Model();
        using var reference = AlignmentToys.Model();
        var pairs = AlignmentToys.Pairs(4, seed: 1);
        Assert.Contains("same model object", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, policy, pairs, new DpoSettings(Steps: 1))).Message);
        Assert.Contains("β > 0", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference, pairs, new DpoSettings(Beta: 0, Steps: 1))).Message);
        Assert.Contains("chosen == rejected", Assert.Throws<ArgumentException>(() => DpoTrainer.Train(policy, reference,
            [new PreferenceIds([1], [2, 0], [2, 0])], new DpoSettings(Steps: 1))).Message);
    }
}
