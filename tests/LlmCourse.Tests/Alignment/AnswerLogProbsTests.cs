using LlmCourse.Alignment;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class AnswerLogProbsTests
{
    [Fact]
    public void Sum_is_the_log_probability_of_the_answer_tokens_only()
    {
        using var scope = NewDisposeScope();
        using var model = AlignmentToys.Model();
        int[] prompt = [3, 4, 5], answer = [6, 7, 0];
        using var batch = AnswerBatch.Create([(prompt, answer)], 16);
        using var noGrad = no_grad();

        // By hand: run the whole sequence, take log p(answer[j] | everything before it).
        var ids = torch.tensor(prompt.Concat(answer).Select(i => (long)i).ToArray()).unsqueeze(0);
        var logProbs = model.call(ids).log_softmax(-1)[0];
        var expected = answer.Select((token, j) => logProbs[prompt.Length - 1 + j, token].ToDouble()).Sum();

        Assert.Equal(expected, AnswerLogProbs.Sum(model, batch).ToDouble(), 4);
    }

    [Fact]
    public void Changing_a_prompt_token_changes_the_context_not_what_is_scored()
    {
        using var batch = AnswerBatch.Create([([3, 4, 5], [6, 7, 0])], 16);
        Assert.Equal(new float[] { 0, 0, 1, 1, 1 }, batch.AnswerMask.data<float>().ToArray());
        Assert.Equal(new long[] { 4, 5, 6, 7, 0 }, batch.Targets.data<long>().ToArray());
        Assert.Equal(5, batch.LastIndex.ToInt64());
    }

    [Fact]
    public void Padding_does_not_change_a_rows_log_probability()
    {
        using var scope = NewDisposeScope();
        using var model = AlignmentToys.Model();
        (int[], int[]) shortRow = ([3, 4], [6, 0]), longRow = ([9, 10, 11, 12, 13], [14, 15, 16, 0]);
        using var alone = AnswerBatch.Create([shortRow], 16);
        using var together = AnswerBatch.Create([longRow, shortRow], 16);
        var aloneSum = AnswerLogProbs.SumNoGrad(model, alone)[0];
        var togetherSum = AnswerLogProbs.SumNoGrad(model, together)[1];
        Assert.Equal(aloneSum, togetherSum, 4);
        Assert.Equal([2, 4], together.AnswerLengths.Reverse());
    }

    [Fact]
    public void Bad_rows_are_clear_errors()
    {
        Assert.Contains("empty answer", Assert.Throws<ArgumentException>(() => AnswerBatch.Create([([1, 2], [])], 16)).Message);
        Assert.Contains("empty prompt", Assert.Throws<ArgumentException>(() => AnswerBatch.Create([([], [1])], 16)).Message);
        var tooLong = Assert.Throws<ArgumentException>(() => AnswerBatch.Create([(new int[10], new int[7])], 16));
        Assert.Contains("longer than the model's context of 16", tooLong.Message);
        Assert.Contains("AnswerBatch.Fits", tooLong.Message);
    }
}
