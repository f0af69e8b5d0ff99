using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class MeanIntervalTests
{
    [Fact]
    public void Mean_and_interval_by_hand()
    {
        // 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard error √(5/3/4).
        var m = MeanInterval.Of([1.0, 2, 3, 4]);
        var half = 1.959963984540054 * Math.Sqrt(5.0 / 3 / 4);
        Assert.Equal(2.5, m.Mean, 12);
        Assert.Equal(2.5 - half, m.Low, 12);
        Assert.Equal(2.5 + half, m.High, 12);
        Assert.Equal(4, m.Count);
        Assert.True(m.ExcludesZero);
        Assert.False(MeanInterval.Of([-1.0, 1, -2, 2]).ExcludesZero);
        Assert.Equal("2.50 [1.23, 3.77]", m.ToString("F2"));
    }

    [Fact]
    public void Paired_differences_remove_the_items_own_spread()
    {
        // Items differ wildly in difficulty, but A beats B by about 0.1 on each: separate intervals overlap, the paired one excludes 0.
        double[] b = [0.1, 0.9, 0.3, 0.7, 0.5, 0.2, 0.8, 0.4];
        var a = b.Select((v, i) => v + 0.1 + (i % 2 == 0 ? 0.01 : -0.01)).ToArray();
        var (ia, ib) = (MeanInterval.Of(a), MeanInterval.Of(b));
        Assert.True(ia.Low < ib.High);
        var d = MeanInterval.Difference(a, b);
        Assert.Equal(0.1, d.Mean, 10);
        Assert.True(d.ExcludesZero);
        Assert.Equal(0, MeanInterval.Difference(b, b).Mean);
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        Assert.Contains("at least two values", Assert.Throws<ArgumentException>(() => MeanInterval.Of([1.0])).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => MeanInterval.Of([1.0, double.NaN])).Message);
        Assert.Contains("same items", Assert.Throws<ArgumentException>(() => MeanInterval.Difference([1.0, 2], [1.0])).Message);
    }
}
