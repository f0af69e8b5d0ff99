using TorchSharp;
using LlmCourse.Alignment;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class RewardModelTests
{
    [Fact]
    public void Bradley_Terry_loss_decreases_on_a_separable_toy_set_and_held_out_accuracy_rises()
    {
        using var model = new RewardModel(AlignmentToys.Model());
        var train = AlignmentToys.Pairs(64, seed: 1);
        var heldOut = AlignmentToys.Pairs(32, seed: 2);
        var history = RewardModelTrainer.Train(model, train, heldOut,
            new RewardModelSettings(Steps: 40, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 3, EvalEvery: 0));

        Assert.Equal(Math.Log(2), history.Train[0].Loss, 4); // a zero head: every answer scores 0 at first
        var early = history.Train.Take(5).Average(s => s.Loss);
        var late = history.Train.TakeLast(5).Average(s => s.Loss);
        Assert.True(late < early * 0.5, $"Bradley–Terry loss went from {early:F3} to {late:F3}");
        Assert.True(history.HeldOut[^1].Accuracy >= 0.9, $"held-out accuracy {history.HeldOut[^1].Accuracy:P0}");
        Assert.True(history.HeldOut[^1].MeanMargin > 0);
    }

    [Fact]
    public void Swapping_the_pair_flips_the_sign_of_the_margin()
    {
        using var scope = NewDisposeScope();
        using var model = new RewardModel(AlignmentToys.Model());
        var pairs = AlignmentToys.Pairs(16, seed: 3);
        RewardModelTrainer.Train(model, pairs, pairs, new RewardModelSettings(Steps: 5, BatchSize: 8, LearningRate: 3e-3, WarmupSteps: 1, EvalEvery: 0));
        model.eval();
        using var noGrad = no_grad();

        var (c, r) = RewardModelTrainer.ScorePairs(model, pairs);
        var (sc, sr) = RewardModelTrainer.ScorePairs(model, pairs.Select(p => p.Swapped()).ToList());
        var margins = BradleyTerry.Margins(c, r).data<float>().ToArray();
        var swapped = BradleyTerry.Margins(sc, sr).data<float>().ToArray();

        Assert.Contains(margins, m => Math.Abs(m) > 1e-3); // the trained head tells answers apart
        for (var i = 0; i < margins.Length; i++)
            Assert.Equal(-margins[i], swapped[i], 4);
    }

    [Fact]
    public void A_score_does_not_depend_on_what_it_is_batched_with()
    {
        using var model = new RewardModel(AlignmentToys.Model());
        var pairs = AlignmentToys.Pairs(8, seed: 4);
        RewardModelTrainer.Train(model, pairs, pairs, new RewardModelSettings(Steps: 3, BatchSize: 4, LearningRate: 3e-3, WarmupSteps: 1, EvalEvery: 0));
        var rows = pairs.Select(p => (p.Prompt, p.Chosen)).ToList();
        var batched = model.Score(rows);
        for (var i = 0; i < rows.Count; i++)
            Assert.Equal(model.Score(rows[i].Prompt, rows[i].Chosen), batched[i], 4);
    }

    [Fact]
    public void Bradley_Terry_by_hand()
    {
        using var scope = NewDisposeScope();
        var chosen = tensor(new[] { 2f, 0f, -1f });
        var rejected = tensor(new[] { 0f, 0f, 1f });
        var expected = new[] { 2.0, 0.0, -2.0 }.Average(m => Math.Log(1 + Math.Exp(-m)));
        Assert.Equal(expected, BradleyTerry.Loss(chosen, rejected).ToDouble(), 5);
        Assert.Equal(1 / 3.0, BradleyTerry.Accuracy(chosen, rejected), 5); // the tie counts as wrong
    }

    [Fact]
    public void Bad_pairs_are_clear_errors()
    {
        using var model = new RewardModel(AlignmentToys.Model());
        var good = AlignmentToys.Pairs(4, seed: 5);
        var same = new PreferenceIds([1, 2], [3, 0], [3, 0]);
        var e = Assert.Throws<ArgumentException>(() => RewardModelTrainer.Train(model, [.. good, same], good, new RewardModelSettings(Steps: 1)));
        Assert.Contains("chosen == rejected", e.Message);
        Assert.Contains("#4", e.Message);
        Assert.Contains("empty rejected answer", Assert.Throws<ArgumentException>(() => new PreferenceIds([1], [2], []).Validate()).Message);
        Assert.Contains("is empty", Assert.Throws<ArgumentException>(() => RewardModelTrainer.Train(model, good, [], new RewardModelSettings(Steps: 1))).Message);
        var tooLong = new PreferenceIds(new int[10], [1, 2, 3, 0], [1, 2, 3, 4, 5, 6, 7, 0]);
        Assert.Contains("more than the context of 16", Assert.Throws<ArgumentException>(() => RewardModelTrainer.Evaluate(model, [tooLong])).Message);
    }
}
