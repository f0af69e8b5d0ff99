using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>
/// Heatmaps of attention: one row per query (the token looking), one column per key (the token looked at), colour =
/// weight. Row i of a causal map is zero right of the diagonal: a token cannot look ahead.
/// </summary>
public static class AttentionMap
{
    /// <summary>
    /// One heatmap of a [queries, keys] tensor (weights, scores; −∞ and NaN are drawn as empty cells), rows labelled
    /// with <paramref name="queryLabels"/>, columns with <paramref name="keyLabels"/> (default: the same). Any other
    /// 2-D map works too (e.g. layers × positions for the logit lens).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not 2-D, or the label counts do not match its shape.</exception>
    public static GenericChart Create(Tensor map, IReadOnlyList<string> queryLabels, string title, IReadOnlyList<string>? keyLabels = null,
        int size = 520, int? height = null)
    {
        var rows = ToRows(map, queryLabels, keyLabels ??= queryLabels);
        return Titled(Heatmap(rows, queryLabels, keyLabels, showScale: true).WithSize(Width: size + 80, Height: height ?? size), title);
    }

    /// <summary>
    /// One heatmap per head of a [heads, queries, keys] tensor, side by side (<paramref name="columns"/> per row),
    /// titled "head 0", "head 1", … (each head on its own colour scale; the bar shown is the first head's).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not 3-D, or the labels do not match its shape.</exception>
    public static GenericChart Heads(Tensor maps, IReadOnlyList<string> labels, string title, int columns = 3, int cellSize = 300)
    {
        if (maps.dim() != 3)
            throw new ArgumentException($"Expected [heads, queries, keys], got [{string.Join(", ", maps.shape)}]. Index the batch first, e.g. weights[0].", nameof(maps));
        var heads = (int)maps.shape[0];
        var charts = Enumerable.Range(0, heads).Select(h => Heatmap(ToRows(maps[h], labels, labels), labels, labels, showScale: h == 0)).ToList();
        var gridRows = (heads + columns - 1) / columns;
        var grid = Chart.Grid(charts, gridRows, Math.Min(columns, heads),
            SubPlotTitles: new Optional<IEnumerable<string>>(Enumerable.Range(0, heads).Select(h => $"head {h}"), true));
        return Titled(grid.WithSize(Width: Math.Min(columns, heads) * cellSize + 60, Height: gridRows * cellSize + 60), title);
    }

    /// <summary>
    /// Labels a category axis can show without merging repeats: Plotly treats equal labels as one category, so the
    /// second "a" gets an invisible zero-width space appended, the third two, and so on. Whitespace is made visible.
    /// </summary>
    public static IReadOnlyList<string> UniqueLabels(IEnumerable<string> tokens)
    {
        var seen = new Dictionary<string, int>();
        return tokens.Select(token =>
        {
            var shown = TokenLabels.Show(token);
            var count = seen.GetValueOrDefault(shown);
            seen[shown] = count + 1;
            return shown + new string('\u200B', count);
        }).ToList();
    }

    private static GenericChart Heatmap(double[][] rows, IReadOnlyList<string> queryLabels, IReadOnlyList<string> keyLabels, bool showScale) =>
        Chart.Heatmap<double, string, string, string>(
            zData: rows,
            X: new Optional<IEnumerable<string>>(keyLabels, true),
            Y: new Optional<IEnumerable<string>>(queryLabels, true),
            ColorScale: new Optional<StyleParam.Colorscale>(StyleParam.Colorscale.Viridis, true),
            ShowScale: new Optional<bool>(showScale, true),
            ReverseYAxis: new Optional<bool>(true, true));

    private static GenericChart Titled(GenericChart chart, string title) => Plotly.NET.Chart.withTitle(title, null).Invoke(chart);

    private static double[][] ToRows(Tensor map, IReadOnlyList<string> queryLabels, IReadOnlyList<string> keyLabels)
    {
        if (map.dim() != 2)
            throw new ArgumentException($"Expected a [queries, keys] map, got [{string.Join(", ", map.shape)}].", nameof(map));
        if (map.shape[0] != queryLabels.Count || map.shape[1] != keyLabels.Count)
            throw new ArgumentException($"The map is [{map.shape[0]}, {map.shape[1]}] but there are {queryLabels.Count} query and {keyLabels.Count} key labels: give one label per row and per column.");
        using var values = map.detach().to(ScalarType.Float64).cpu();
        var flat = values.data<double>().ToArray();
        var width = (int)map.shape[1];
        // −∞ (masked scores) becomes NaN, which Plotly leaves blank.
        return Enumerable.Range(0, (int)map.shape[0])
            .Select(r => flat.AsSpan(r * width, width).ToArray().Select(v => double.IsInfinity(v) ? double.NaN : v).ToArray())
            .ToArray();
    }
}
