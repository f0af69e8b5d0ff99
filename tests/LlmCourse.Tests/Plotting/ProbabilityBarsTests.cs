using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Tests.Plotting;

public class ProbabilityBarsTests
{
    [Fact]
    public void Whitespace_becomes_visible()
    {
        Assert.Equal("␣", TokenLabels.Show(' '));
        Assert.Equal("↵", TokenLabels.Show('\n'));
        Assert.Equal("a␣b", TokenLabels.Show("a b"));
        Assert.Equal("\\u0007", TokenLabels.Show('\a'));
        Assert.Equal("e", TokenLabels.Show('e'));
    }

    [Fact]
    public void Top_sorts_by_probability_and_keeps_input_order_on_ties()
    {
        var top = ProbabilityBars.Top(["a", "b", "c", "d"], [0.1, 0.4, 0.1, 0.4], top: 3);
        Assert.Equal([("b", 0.4), ("d", 0.4), ("a", 0.1)], top);
    }

    [Fact]
    public void Chart_has_one_bar_per_top_token_with_visible_labels()
    {
        var chart = ProbabilityBars.Create([" ", "e", "\n", "qq"], [0.5, 0.3, 0.15, 0.05], "after 'th'", top: 3);
        var json = GenericChart.toJson(chart);
        Assert.Contains("\"type\":\"bar\"", json);
        Assert.Contains("[\"␣\",\"e\",\"↵\"]", json);
        Assert.DoesNotContain("qq", json);
        Assert.Contains("after 'th'<br><sub>top 3 of 4 tokens; the other 1 share 5.0%</sub>", json);
        Assert.Contains("\"tickfont\":{\"size\":17}", json);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ProbabilityBars.Create(["a"], [0.5, 0.5], "t"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbabilityBars.Top(["a"], [1.0], 0));
    }
}
