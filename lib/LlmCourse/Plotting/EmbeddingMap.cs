using LlmCourse.Embeddings;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>
/// A meaning map: chosen words of an embedding space projected to 2-D with <see cref="Pca"/> and drawn as labelled
/// points, one colour per group, so that words used alike land near each other.
/// </summary>
public static class EmbeddingMap
{
    /// <summary>Plots the words of each group; words missing from the space are skipped (and listed in the title).</summary>
    /// <param name="space">The embeddings.</param>
    /// <param name="groups">Group name → words, e.g. "family" → brother, sister, mother.</param>
    /// <param name="title">Chart title.</param>
    /// <exception cref="ArgumentException">Fewer than two of the words are in the space.</exception>
    public static GenericChart Create(EmbeddingSpace space, IReadOnlyDictionary<string, string[]> groups, string title)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(groups);
        var present = groups.SelectMany(g => g.Value.Where(space.Contains).Select(w => (Group: g.Key, Word: w))).ToList();
        var missing = groups.SelectMany(g => g.Value.Where(w => !space.Contains(w))).ToList();
        if (present.Count < 2)
            throw new ArgumentException($"Only {present.Count} of the words are in the embedding space; PCA needs at least 2. Missing: {string.Join(", ", missing)}.", nameof(groups));
        var projection = Pca.Project(present.Select(p => space.Vector(p.Word)).ToList());
        var traces = present.Select((p, i) => (p.Group, p.Word, X: projection.X[i], Y: projection.Y[i]))
            .GroupBy(p => p.Group)
            .Select(g => Chart.Point<double, double, string>(
                x: g.Select(p => p.X).ToArray(), y: g.Select(p => p.Y).ToArray(), Name: g.Key,
                MultiText: g.Select(p => p.Word).ToArray(),
                TextPosition: StyleParam.TextPosition.TopCenter));
        var (first, second) = projection.ExplainedVariance;
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: $"first principal direction ({first:P0} of the spread)")
            .WithYAxisStyle<double, double, string>(TitleText: $"second ({second:P0})")
            .WithSize(Width: 820, Height: 560);
        var fullTitle = missing.Count == 0 ? title : $"{title} (not in the vocabulary: {string.Join(", ", missing)})";
        return Plotly.NET.Chart.withTitle(fullTitle, null).Invoke(chart);
    }
}
