using LlmCourse.Plotting;
using Plotly.NET;
using TorchSharp;

namespace LlmCourse.Tests.Plotting;

public class AttentionMapTests
{
    [Fact]
    public void Repeated_tokens_get_distinct_labels_that_look_the_same()
    {
        var labels = AttentionMap.UniqueLabels(["a", " ", "a", "b", "a", " "]);
        Assert.Equal(6, labels.Distinct().Count());
        Assert.Equal(["a", "␣", "a", "b", "a", "␣"], labels.Select(l => l.Replace("\u200B", "")));
    }

    [Fact]
    public void A_map_becomes_a_heatmap_with_masked_cells_left_blank()
    {
        using var scores = torch.tensor(new double[,] { { 1, double.NegativeInfinity }, { 0.25, 0.75 } });
        var html = GenericChart.toChartHTML(AttentionMap.Create(scores, ["x", "y"], "scores"));
        Assert.Contains("\"type\":\"heatmap\"", html);
        Assert.Contains("\"z\":[[1.0,\"NaN\"],[0.25,0.75]]", html); // plotly.js draws non-numbers as gaps
    }

    [Fact]
    public void Heads_are_drawn_one_subplot_each()
    {
        using var maps = torch.rand(4, 3, 3);
        var html = GenericChart.toChartHTML(AttentionMap.Heads(maps, ["a", "b", "c"], "layer 0", columns: 2));
        Assert.Equal(4, html.Split("\"type\":\"heatmap\",\"x\"").Length - 1); // traces, not the template's default
        Assert.Contains("head 3", html);
    }

    [Fact]
    public void Shapes_that_do_not_fit_the_labels_are_explained()
    {
        using var map = torch.rand(3, 3);
        Assert.Contains("one label per row", Assert.Throws<ArgumentException>(() => AttentionMap.Create(map, ["a", "b"], "t")).Message);
        using var batched = torch.rand(1, 2, 3, 3);
        Assert.Contains("weights[0]", Assert.Throws<ArgumentException>(() => AttentionMap.Heads(batched, ["a", "b", "c"], "t")).Message);
    }
}
