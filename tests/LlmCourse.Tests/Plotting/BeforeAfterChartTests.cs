using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Tests.Plotting;

public class BeforeAfterChartTests
{
    [Fact]
    public void Each_series_is_a_solid_and_a_dashed_line_in_one_colour_on_a_log_axis()
    {
        var html = GenericChart.toChartHTML(BeforeAfterChart.Lines("ppl", "sparsity", "perplexity", "pruned", "healed", logY: true,
            ("global", [0, 0.5], [20, 80], [20, 30]), ("heads", [0, 0.2], [20, 60], [20, 25])));

        Assert.Single(html.Split("\"name\":\"global, pruned\"").Skip(1));
        Assert.Single(html.Split("\"name\":\"global, healed\"").Skip(1));
        Assert.Contains("\"y\":[20.0,30.0]", html);
        Assert.Equal(2, html.Split("\"dash\":\"dash\"").Length - 1); // one dashed line per series
        Assert.Equal(2, html.Split("\"line\":{\"color\":\"#1f77b4\"").Length - 1);   // the pair shares a colour...
        Assert.Equal(2, html.Split("\"line\":{\"color\":\"#ff7f0e\"").Length - 1);   // ...that differs from the next pair's
        Assert.Contains("\"yaxis\":{\"title\":{\"text\":\"perplexity\"},\"type\":\"log\"}", html);
    }

    [Fact]
    public void Mismatched_series_are_explained() =>
        Assert.Contains("one of each per x", Assert.Throws<ArgumentException>(() =>
            BeforeAfterChart.Lines("t", "x", "y", "a", "b", false, ("s", [1, 2], [1, 2], [1]))).Message);
}
