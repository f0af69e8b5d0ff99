using LlmCourse.Evaluation;
using LlmCourse.Model;

namespace LlmCourse.Tests.Evaluation;

public class CrossEntropyTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(27)]
    [InlineData(80)]
    public void Uniform_model_scores_log2_of_the_vocabulary_size(int vocabularySize)
    {
        var tokens = Enumerable.Range(0, 500).Select(i => i * 7 % vocabularySize).ToArray();
        Assert.Equal(Math.Log2(vocabularySize), CrossEntropy.BitsPerToken(new UniformModel(vocabularySize), tokens), 12);
    }

    [Fact]
    public void Bits_are_nats_over_ln_2_and_match_a_hand_computation()
    {
        // Unsmoothed bigram of "abab b": P(b|a) = 1, P(a|b) = P(b|b) = 1/2. Scoring "abb": -log2 P(b|a) - log2 P(b|b) = 0 + 1.
        var model = BigramModel.Count([0, 1, 0, 1, 1], 2, smoothing: 0);
        Assert.Equal(0.5, CrossEntropy.BitsPerToken(model, [0, 1, 1]), 12);
        Assert.Equal(0.5 * Math.Log(2), CrossEntropy.NatsPerToken(model, [0, 1, 1]), 12);
    }

    [Fact]
    public void A_model_that_learned_the_text_beats_the_uniform_guess()
    {
        var tokens = Enumerable.Range(0, 300).Select(i => i % 3).ToArray(); // 0 1 2 0 1 2 ...: perfectly predictable
        var bigram = BigramModel.Count(tokens, 3, smoothing: 0.01);
        Assert.True(CrossEntropy.BitsPerToken(bigram, tokens) < 0.01);
    }

    [Fact]
    public void Zero_probability_for_a_real_token_is_an_error_that_suggests_smoothing()
    {
        var model = BigramModel.Count([0, 1, 0, 1], 2, smoothing: 0); // never saw a after a
        var error = Assert.Throws<ArgumentException>(() => CrossEntropy.BitsPerToken(model, [0, 0]));
        Assert.Contains("smoothing", error.Message);
    }
}
