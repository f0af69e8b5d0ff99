using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Tests.Plotting;

public class HistogramChartTests
{
    [Fact]
    public void Shared_bins_span_all_series_and_shares_sum_to_one()
    {
        var (centers, shares) = HistogramChart.Bin([[0f, 0.1f, 0.9f, 1f], [2f]], bins: 4);
        Assert.Equal([0.25, 0.75, 1.25, 1.75], centers);
        Assert.Equal([0.5, 0.25, 0.25, 0], shares[0]); // bins of width 0.5: 0 and 0.1 | 0.9 | 1.0 | nothing
        Assert.Equal([0, 0, 0, 1.0], shares[1]); // the overall maximum lands in the last bin, not past it
    }

    [Fact]
    public void A_log_chart_leaves_empty_bins_as_gaps()
    {
        var html = GenericChart.toChartHTML(HistogramChart.Create("w", "weight", 4, logShares: true, ("a", [0f, 1f]), ("b", [0.5f])));
        Assert.Contains("\"type\":\"log\"", html);
        Assert.Contains("\"NaN\"", html);
    }

    [Fact]
    public void Bad_input_is_explained()
    {
        Assert.Contains("at least 2 bins", Assert.Throws<ArgumentException>(() => HistogramChart.Bin([[1f]], 1)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => HistogramChart.Bin([[float.NaN]], 4)).Message);
        Assert.Contains("at least one value", Assert.Throws<ArgumentException>(() => HistogramChart.Bin([[]], 4)).Message);
    }
}
