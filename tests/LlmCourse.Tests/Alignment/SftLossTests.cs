using LlmCourse.Alignment;
using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class SftLossTests
{
    // Two conversations over a 32-id toy vocabulary: 5 prompt tokens then the answer (mask true), of different lengths.
    private static readonly FormattedChat Short = new([1, 2, 3, 4, 5, 9, 10, 31], [false, false, false, false, false, true, true, true]);
    private static readonly FormattedChat Long = new([1, 6, 7, 8, 4, 5, 11, 12, 13, 14, 31], [false, false, false, false, false, false, true, true, true, true, true]);

    private static GptModel ToyModel() => new(GptConfig.Tiny(32), seed: 3);

    private static double Loss(GptModel model, Tensor inputs, Tensor labels, Tensor mask)
    {
        using var _ = no_grad();
        using var loss = SftBatch.Loss(model, inputs, labels, mask);
        return loss.item<float>();
    }

    [Fact]
    public void Changing_a_prompt_label_leaves_the_loss_unchanged_and_an_answer_label_changes_it()
    {
        using var model = ToyModel();
        using var batch = SftBatch.Create([Short, Long]);
        var reference = Loss(model, batch.Inputs, batch.Labels, batch.LossMask);

        using var promptChanged = batch.Labels.clone();
        promptChanged[1, 2] = tensor(20L); // position 2 of the long row predicts a prompt token (mask false)
        Assert.False(batch.LossMask[1, 2].item<bool>());
        Assert.Equal(reference, Loss(model, batch.Inputs, promptChanged, batch.LossMask), 6);

        using var answerChanged = batch.Labels.clone();
        answerChanged[1, 6] = tensor(20L); // position 6 predicts an answer token (mask true)
        Assert.True(batch.LossMask[1, 6].item<bool>());
        Assert.NotEqual(reference, Loss(model, batch.Inputs, answerChanged, batch.LossMask), 4);
    }

    [Fact]
    public void Padding_does_not_change_the_loss()
    {
        using var model = ToyModel();
        using var alone = SftBatch.Create([Short]);
        using var padded = SftBatch.Create([Short], width: 14);
        Assert.Equal(14, padded.Inputs.shape[1]);
        Assert.Equal(Loss(model, alone.Inputs, alone.Labels, alone.LossMask), Loss(model, padded.Inputs, padded.Labels, padded.LossMask), 5);

        // In a batch, the short row is padded to the long one; the loss is the mean over all answer tokens of both.
        using var both = SftBatch.Create([Short, Long]);
        using var longAlone = SftBatch.Create([Long]);
        double shortLoss = Loss(model, alone.Inputs, alone.Labels, alone.LossMask), longLoss = Loss(model, longAlone.Inputs, longAlone.Labels, longAlone.LossMask);
        var expected = (shortLoss * Short.AnswerTokens + longLoss * Long.AnswerTokens) / (Short.AnswerTokens + Long.AnswerTokens);
        Assert.Equal(expected, Loss(model, both.Inputs, both.Labels, both.LossMask), 5);
    }

    [Fact]
    public void The_batch_holds_next_tokens_and_the_shifted_mask()
    {
        using var batch = SftBatch.Create([Short, Long]);
        Assert.Equal([2L, 10], batch.Inputs.shape);
        Assert.Equal(Short.Ids[1..].Select(i => (long)i), batch.Labels[0].narrow(0, 0, Short.Length - 1).data<long>().ToArray());
        Assert.Equal(Short.AnswerMask[1..], batch.LossMask[0].narrow(0, 0, Short.Length - 1).data<bool>().ToArray());
        Assert.Equal(Short.AnswerTokens + Long.AnswerTokens, batch.AnswerTokens);
        Assert.Equal(0, batch.Inputs[0, 8].item<long>()); // padding
        Assert.False(batch.LossMask[0, 8].item<bool>());
    }

    [Fact]
    public void A_mask_without_answer_tokens_is_refused()
    {
        using var model = ToyModel();
        using var batch = SftBatch.Create([Short]);
        using var none = zeros_like(batch.LossMask);
        var e = Assert.Throws<ArgumentException>(() => SftBatch.Loss(model, batch.Inputs, batch.Labels, none));
        Assert.Contains("selects no token", e.Message);
    }

    [Fact]
    public void Fine_tuning_lowers_the_answer_loss_on_a_toy_task()
    {
        using var model = ToyModel();
        var data = new SftData([Short, Long], []);
        using var trainer = new SftTrainer(model, data, data, new SftSettings { Steps = 30, BatchSize = 2, LearningRate = 1e-2, WarmupSteps = 2, EvalEvery = 0 });
        var history = trainer.Train();
        Assert.Equal(30, history.Train.Count);
        Assert.Equal([0, 30], history.Validation.Select(p => p.Step));
        Assert.True(history.Validation[1].Loss < history.Validation[0].Loss / 2, $"{history.Validation[0].Loss} → {history.Validation[1].Loss}");
    }
}
