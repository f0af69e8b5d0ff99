using LlmCourse.Embeddings;
using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Tests.Plotting;

public class EmbeddingMapTests
{
    private static readonly EmbeddingSpace Space = new(
        ["he", "she", "brother", "sister", "london", "bath"],
        [[1, 0, 0], [0.9f, 0.1f, 0], [0, 1, 0.1f], [0.1f, 1, 0], [0, 0, 1], [0.1f, 0, 1]]);

    [Fact]
    public void One_trace_per_group_with_the_words_as_labels()
    {
        var groups = new Dictionary<string, string[]> { ["people"] = ["he", "she", "brother", "sister"], ["places"] = ["london", "bath"] };
        var html = GenericChart.toChartHTML(EmbeddingMap.Create(Space, groups, "map"));
        Assert.Contains("\"name\":\"people\"", html);
        Assert.Contains("\"name\":\"places\"", html);
        foreach (var word in Space.Words)
            Assert.Contains($"\"{word}\"", html);
    }

    [Fact]
    public void Missing_words_are_named_and_too_few_words_refused()
    {
        var html = GenericChart.toChartHTML(EmbeddingMap.Create(Space, new Dictionary<string, string[]> { ["x"] = ["he", "she", "darcy"] }, "map"));
        Assert.Contains("not in the vocabulary: darcy", html);
        Assert.Throws<ArgumentException>(() => EmbeddingMap.Create(Space, new Dictionary<string, string[]> { ["x"] = ["he", "darcy"] }, "map"));
    }
}
