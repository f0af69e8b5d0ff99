using LlmCourse.Model;

namespace LlmCourse.Tests.Model;

public class BigramModelTests
{
    // "abab" + "b": pairs ab, ba, ab, bb. Ids: a = 0, b = 1.
    private static readonly int[] Tokens = [0, 1, 0, 1, 1];

    [Fact]
    public void Counts_every_adjacent_pair_once()
    {
        var model = BigramModel.Count(Tokens, vocabularySize: 2, smoothing: 0);
        Assert.Equal(0, model.CountOf(0, 0));
        Assert.Equal(2, model.CountOf(0, 1));
        Assert.Equal(1, model.CountOf(1, 0));
        Assert.Equal(1, model.CountOf(1, 1));
        Assert.Equal(Tokens.Length - 1, model.TotalCount);
    }

    [Fact]
    public void Probabilities_are_row_frequencies_and_smoothing_adds_k_to_each_cell()
    {
        var unsmoothed = BigramModel.Count(Tokens, 2, smoothing: 0);
        Assert.Equal([0.0, 1.0], unsmoothed.NextTokenProbabilities([1, 0]));   // after a: always b
        Assert.Equal([0.5, 0.5], unsmoothed.NextTokenProbabilities([0, 1]));   // after b: a once, b once

        var addOne = BigramModel.Count(Tokens, 2, smoothing: 1);
        Assert.Equal(1.0 / 4, addOne.Probability([0], 0), 12);                 // (0 + 1) / (2 + 2)
        Assert.Equal(3.0 / 4, addOne.Probability([0], 1), 12);
    }

    [Fact]
    public void Every_row_sums_to_one_even_for_an_unseen_previous_token()
    {
        var model = BigramModel.Count([0, 1, 2, 1, 0, 0], vocabularySize: 5, smoothing: 0); // 3 and 4 never occur
        for (var previous = 0; previous < 5; previous++)
            Assert.Equal(1.0, model.NextTokenProbabilities([previous]).Sum(), 12);
        Assert.Equal(Enumerable.Repeat(0.2, 5), model.NextTokenProbabilities([4]));
    }

    [Fact]
    public void Only_the_last_context_token_matters()
    {
        var model = BigramModel.Count([0, 1, 2, 0, 2, 2, 1], 3);
        Assert.Equal(model.NextTokenProbabilities([2]), model.NextTokenProbabilities([0, 1, 1, 2]));
    }

    [Fact]
    public void Counts_are_copied_so_the_caller_cannot_change_the_model()
    {
        var table = new long[,] { { 1, 3 }, { 2, 2 } };
        var model = new BigramModel(table, smoothing: 0);
        table[0, 0] = 1000;
        Assert.Equal(0.25, model.Probability([0], 0), 12);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_fix()
    {
        Assert.Throws<ArgumentException>(() => new BigramModel(new long[2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BigramModel(new long[2, 2], smoothing: -1));
        var error = Assert.Throws<ArgumentException>(() => BigramModel.Count(Tokens, 2).NextTokenProbabilities([]));
        Assert.Contains("prompt", error.Message);
    }
}
