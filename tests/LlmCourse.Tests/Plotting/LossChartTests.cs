using LlmCourse.Plotting;

namespace LlmCourse.Tests.Plotting;

public class LossChartTests
{
    [Fact]
    public void MovingAverageIsTrailingAndShortAtTheStart() =>
        Assert.Equal([2.0, 3.0, 4.0, 6.0], LossChart.MovingAverage([2, 4, 6, 8], window: 3));

    [Fact]
    public void ChartHoldsTheThreeCurves()
    {
        var html = Plotly.NET.GenericChart.toChartHTML(LossChart.Create([(1, 3.0), (2, 2.5)], [(0, 3.2), (2, 2.6)], totalSteps: 10));
        Assert.Contains("train (per step)", html);
        Assert.Contains("validation", html);
    }
}
