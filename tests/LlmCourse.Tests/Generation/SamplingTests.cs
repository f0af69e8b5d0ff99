using LlmCourse.Generation;

namespace LlmCourse.Tests.Generation;

public class SamplingTests
{
    private static readonly double[] Distribution = [0.5, 0.0, 0.3, 0.2];

    private static int[] Draw(int seed, int count, double[] weights)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Sampling.Sample(weights, random)).ToArray();
    }

    [Fact]
    public void Same_seed_same_draws_different_seed_different_draws()
    {
        Assert.Equal(Draw(1337, 200, Distribution), Draw(1337, 200, Distribution));
        Assert.NotEqual(Draw(1337, 200, Distribution), Draw(7, 200, Distribution));
    }

    [Fact]
    public void Frequencies_match_the_probabilities_and_zero_is_never_drawn()
    {
        const int n = 100_000;
        var draws = Draw(42, n, Distribution);
        var frequency = Enumerable.Range(0, 4).Select(i => (double)draws.Count(d => d == i) / n).ToArray();
        Assert.Equal(0, frequency[1]);
        for (var i = 0; i < 4; i++)
            Assert.InRange(frequency[i], Distribution[i] - 0.01, Distribution[i] + 0.01); // ±0.01 is over 6 standard errors
    }

    [Fact]
    public void Unnormalised_weights_behave_like_their_normalised_probabilities()
    {
        Assert.Equal(Draw(3, 500, Distribution), Draw(3, 500, Distribution.Select(p => p * 40).ToArray()));
    }

    [Fact]
    public void Certain_token_is_always_drawn()
    {
        Assert.All(Draw(5, 1000, [0, 0, 1, 0]), d => Assert.Equal(2, d));
    }

    [Theory]
    [InlineData(new[] { 0.0, 0.0 })]
    [InlineData(new[] { 0.5, -0.1 })]
    [InlineData(new[] { 0.5, double.NaN })]
    [InlineData(new double[0])]
    public void Invalid_weights_throw(double[] weights)
    {
        Assert.Throws<ArgumentException>(() => Sampling.Sample(weights, new Random(1)));
    }
}
