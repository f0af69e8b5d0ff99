using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;

namespace LlmCourse.Tests.Training;

public class MinimalTrainerTests
{
    // A text with an obvious pattern: a model that learns anything predicts it well.
    private static readonly int[] Repetitive = Enumerable.Range(0, 2000).Select(i => i % 7).ToArray();

    [Fact]
    public void Loss_falls_on_a_learnable_text_and_the_run_is_reproducible()
    {
        var config = GptConfig.Tiny(vocabSize: 7);
        TrainingRun Run()
        {
            using var model = new GptModel(config, seed: 3);
            return MinimalTrainer.Train(model, Repetitive, steps: 30, batchSize: 8, learningRate: 3e-3, seed: 5);
        }
        var first = Run();
        var second = Run();
        Assert.Equal(first.Losses, second.Losses);
        Assert.True(first.Losses[0] > 1.5, $"an untrained model should be near ln 7 ≈ 1.95, got {first.Losses[0]}");
        Assert.True(first.FinalLoss(5) < 0.5 * first.Losses[0], $"loss should fall by half, {first.Losses[0]} → {first.FinalLoss(5)}");
        Assert.Equal(30L * 8 * 16, first.Tokens);
    }

    [Fact]
    public void Evaluation_loss_of_an_untrained_model_is_near_uniform_and_leaves_the_mode_alone()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 7));
        model.train();
        var loss = MinimalTrainer.EvaluateLoss(model, Repetitive, batches: 3, batchSize: 4);
        Assert.InRange(loss, Math.Log(7) - 0.3, Math.Log(7) + 0.3);
        Assert.True(model.training);
    }

    [Fact]
    public void Schedule_warms_up_to_the_peak_then_decays_to_a_tenth()
    {
        Assert.Equal(0.1, MinimalTrainer.Schedule(0, 100, 10, 1.0), 12);
        Assert.Equal(1.0, MinimalTrainer.Schedule(10, 100, 10, 1.0), 12);
        Assert.Equal(0.55, MinimalTrainer.Schedule(55, 100, 10, 1.0), 12);
        Assert.Equal(0.1, MinimalTrainer.Schedule(100, 100, 10, 1.0), 12);
    }

    [Fact]
    public void Windows_pair_each_token_with_the_next_one()
    {
        var text = Enumerable.Range(0, 50).ToArray();
        var sampler = new MinimalTrainer.WindowSampler(text, context: 8, seed: 1);
        var (ids, targets) = sampler.Next(4);
        Assert.Equal(new long[] { 4, 8 }, ids.shape);
        Assert.True((ids + 1).eq(targets).all().ToBoolean());
        Assert.Contains("context + the next token", Assert.Throws<ArgumentException>(() => new MinimalTrainer.WindowSampler(text, 50, 1)).Message);
    }
}
