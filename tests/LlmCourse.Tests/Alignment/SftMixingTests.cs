using LlmCourse.Alignment;
using LlmCourse.Model;

namespace LlmCourse.Tests.Alignment;

/// <summary>Several sources with fixed shares of every batch, and replay of plain text, in the SFT trainer.</summary>
public class SftMixingTests
{
    // Toy conversations over a 32-id vocabulary: source A answers with ids 20.., source B with ids 25...
    private static SftData Source(int answer, int count) => new(Enumerable.Range(0, count)
        .Select(i => new FormattedChat([1, 2 + i % 5, 3, answer, answer + 1, 31], [false, false, false, true, true, true])).ToList(), []);

    private static GptModel ToyModel() => new(GptConfig.Tiny(32), seed: 3);

    // A "corpus" the toy model can learn: the ids 4..15 counting up, over and over (context 16).
    private static ReplayText CountingText() =>
        new(Enumerable.Range(0, 600).Select(i => 4 + i % 12).ToList(), Enumerable.Range(0, 200).Select(i => 4 + (i + 5) % 12).ToList(), 400);

    [Theory]
    [InlineData(new double[] { 10, 5, 1 }, 16, new[] { 10, 5, 1 })]
    [InlineData(new double[] { 1, 1, 1 }, 16, new[] { 6, 5, 5 })]
    [InlineData(new double[] { 3, 1 }, 4, new[] { 3, 1 })]
    [InlineData(new double[] { 1, 1 }, 3, new[] { 2, 1 })]
    [InlineData(new double[] { 0.25, 0.75 }, 8, new[] { 2, 6 })]
    public void Shares_are_apportioned_to_add_up_to_the_batch(double[] weights, int batch, int[] expected)
    {
        var sources = weights.Select((w, i) => new SftSource($"s{i}", Source(20, 3), w)).ToList();
        Assert.Equal(expected, SftSource.Apportion(sources, batch));
    }

    [Fact]
    public void A_source_without_a_share_or_with_a_bad_weight_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => SftSource.Apportion([new("big", Source(20, 3), 100), new("tiny", Source(25, 3), 1)], 16));
        Assert.Contains("'tiny'", e.Message);
        e = Assert.Throws<ArgumentException>(() => SftSource.Apportion([new("bad", Source(20, 3), 0)], 16));
        Assert.Contains("'bad'", e.Message);
        e = Assert.Throws<ArgumentException>(() => SftSource.Apportion([], 16));
        Assert.Contains("No training sources", e.Message);
    }

    [Fact]
    public void Every_batch_holds_each_sources_share_and_each_source_is_cycled_in_passes()
    {
        using var model = ToyModel();
        SftSource[] sources = [new("a", Source(20, 7), 3), new("b", Source(25, 200), 1)];
        using var trainer = new SftTrainer(model, sources, Source(20, 2), new() { Steps = 14, BatchSize = 4, EvalEvery = 0, WarmupSteps = 1 });
        Assert.Equal([3, 1], trainer.PerBatch);
        trainer.Train();
        Assert.Equal([42L, 14L], trainer.SourceDraws); // 14 steps × 3 and × 1: the small source is simply seen 6 times
    }

    [Fact]
    public void Replay_reads_its_windows_every_step_and_records_both_curves()
    {
        using var model = ToyModel();
        using var text = CountingText();
        var settings = new SftSettings { Steps = 6, BatchSize = 2, EvalEvery = 3, WarmupSteps = 1, ReplayWindows = 3, TextEvalWindows = 4 };
        using var trainer = new SftTrainer(model, Source(20, 4), Source(20, 2), settings, text);
        var reports = new List<SftValidation>();
        trainer.Validated += reports.Add;
        trainer.Train();
        Assert.Equal(6 * 3 * model.Config.ContextLength, trainer.ReplayTokens);
        Assert.Equal(Enumerable.Range(1, 6), trainer.TextHistory.Train.Select(p => p.Step));
        Assert.Equal([0, 3, 6], trainer.TextHistory.Validation.Select(p => p.Step));
        Assert.Equal([0, 3, 6], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(text.BitsPerCharacter(r.TextLoss!.Value), r.TextBitsPerCharacter!.Value, 9));
    }

    [Fact]
    public void Without_replay_the_text_is_only_measured()
    {
        using var model = ToyModel();
        using var text = CountingText();
        using var trainer = new SftTrainer(model, Source(20, 4), Source(20, 2), new() { Steps = 3, BatchSize = 2, EvalEvery = 0, WarmupSteps = 1 }, text);
        trainer.Train();
        Assert.Equal(0, trainer.ReplayTokens);
        Assert.Empty(trainer.TextHistory.Train);
        Assert.Equal(2, trainer.TextHistory.Validation.Count);
    }

    [Fact]
    public void Replay_keeps_the_text_that_answer_only_fine_tuning_forgets()
    {
        // Both runs first learn the counting text, then fine-tune on answers; only one replays the text meanwhile.
        double TextLossAfter(int replayWindows)
        {
            using var model = ToyModel();
            using var text = CountingText();
            using (var pretrain = new SftTrainer(model, Source(20, 1), Source(20, 1), new() { Steps = 150, BatchSize = 1, EvalEvery = 0, WarmupSteps = 5, LearningRate = 1e-2, MinLearningRate = 1e-2, ReplayWindows = 8, ReplayWeight = 5 }, text))
                pretrain.Train();
            using var sft = new SftTrainer(model, Source(25, 8), Source(25, 2),
                new() { Steps = 150, BatchSize = 4, EvalEvery = 0, WarmupSteps = 5, LearningRate = 1e-2, MinLearningRate = 1e-2, ReplayWindows = replayWindows }, text);
            sft.Train();
            return sft.TextHistory.Validation[^1].Loss;
        }
        var without = TextLossAfter(0);
        var with = TextLossAfter(4);
        Assert.True(with < without, $"held-out text loss with replay {with:F3}, without {without:F3}");
    }

    [Fact]
    public void Replay_without_a_text_and_bad_replay_settings_are_refused()
    {
        using var model = ToyModel();
        var e = Assert.Throws<ArgumentException>(() => new SftTrainer(model, Source(20, 2), Source(20, 2), new() { ReplayWindows = 2 }));
        Assert.Contains("ReplayText.FromCorpus", e.Message);
        Assert.Contains("ReplayWindows = 0", e.Message);
        Assert.Throws<ArgumentException>(() => new SftSettings { ReplayWindows = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new SftSettings { ReplayWeight = double.NaN }.Validate());
        Assert.Throws<ArgumentException>(() => new SftSettings { TextEvalWindows = -1 }.Validate());
    }
}
