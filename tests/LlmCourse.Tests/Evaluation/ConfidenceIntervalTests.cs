using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class ConfidenceIntervalTests
{
    [Theory]
    // 95 % Wilson intervals, four decimals: 81/263 is Newcombe's (1998) worked example (0.2553, 0.3662); 0/n and n/n
    // have the closed forms [0, z²/(n+z²)] and [n/(n+z²), 1]; the others are the usual textbook values.
    [InlineData(8, 10, 0.4902, 0.9433)]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(50, 100, 0.4038, 0.5962)]
    [InlineData(81, 263, 0.2553, 0.3662)]
    public void Wilson_intervals_match_published_values(int successes, int trials, double low, double high)
    {
        var interval = ConfidenceInterval.Wilson(successes, trials);
        Assert.Equal(low, interval.Low, 4);
        Assert.Equal(high, interval.High, 4);
    }

    [Fact]
    public void The_interval_narrows_with_more_trials_and_holds_the_observed_rate()
    {
        var small = ConfidenceInterval.Wilson(3, 4);
        var large = ConfidenceInterval.Wilson(300, 400);
        Assert.True(large.High - large.Low < (small.High - small.Low) / 5);
        Assert.True(small.Contains(0.75) && large.Contains(0.75));
    }

    [Fact]
    public void Impossible_counts_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceInterval.Wilson(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceInterval.Wilson(5, 4));
    }
}
