using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Tests.Plotting;

public class SeriesChartTests
{
    [Fact]
    public void Lines_draw_one_trace_per_series_with_its_points()
    {
        var html = GenericChart.toChartHTML(SeriesChart.Lines("loss", "layers", "nats",
            ("train", [1, 2, 4], [2.5, 2.1, 1.9]), ("valid", [1, 2, 4], [2.6, 2.2, 2.0])));
        // One trace per series (the page's template also mentions "scatter", so count the series names).
        Assert.Single(html.Split("\"name\":\"train\"").Skip(1));
        Assert.Single(html.Split("\"name\":\"valid\"").Skip(1));
        Assert.Contains("\"y\":[2.6,2.2,2.0]", html);
    }

    [Fact]
    public void Bars_group_series_by_category()
    {
        var html = GenericChart.toChartHTML(SeriesChart.Bars("writes", ["layer 0", "layer 1"], "rms", ("attention", [0.1, 0.2]), ("mlp", [0.3, 0.4])));
        Assert.Single(html.Split("\"name\":\"attention\"").Skip(1));
        Assert.Single(html.Split("\"name\":\"mlp\"").Skip(1));
        Assert.Contains("\"x\":[\"layer 0\",\"layer 1\"]", html);
    }

    [Fact]
    public void Mismatched_series_are_explained()
    {
        Assert.Contains("one y per x", Assert.Throws<ArgumentException>(() => SeriesChart.Lines("t", "x", "y", ("a", [1, 2], [1]))).Message);
        Assert.Contains("one value per category", Assert.Throws<ArgumentException>(() => SeriesChart.Bars("t", ["a"], "y", ("s", [1, 2]))).Message);
    }
}
