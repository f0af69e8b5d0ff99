using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>
/// Curves measured twice, before and after some treatment (pruning before and after healing): each series is one
/// colour, solid before and dashed after, so the gap between a pair is the treatment's effect.
/// </summary>
public static class BeforeAfterChart
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    /// <summary>Two lines per series: its Before values (solid) and After values (dashed), over the same x.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="beforeLabel">Legend suffix of the solid lines, e.g. "pruned".</param>
    /// <param name="afterLabel">Legend suffix of the dashed lines, e.g. "healed".</param>
    /// <param name="logY">A logarithmic y-axis (for values that span orders of magnitude, such as perplexity).</param>
    /// <param name="series">Name, x values, y before, y after (equal lengths).</param>
    /// <exception cref="ArgumentException">No series, or a series whose lists differ in length.</exception>
    public static GenericChart Lines(string title, string xTitle, string yTitle, string beforeLabel, string afterLabel, bool logY,
        params (string Name, IReadOnlyList<double> X, IReadOnlyList<double> Before, IReadOnlyList<double> After)[] series)
    {
        if (series.Length == 0)
            throw new ArgumentException("Give at least one series: (name, x values, y before, y after).", nameof(series));
        foreach (var (name, x, before, after) in series)
            if (before.Count != x.Count || after.Count != x.Count)
                throw new ArgumentException($"Series '{name}' has {x.Count} x values, {before.Count} before and {after.Count} after: give one of each per x.", nameof(series));
        var lines = series.SelectMany((s, i) =>
        {
            var colour = Color.fromString(Palette[i % Palette.Length]);
            return new[]
            {
                Chart.Line<double, double, string>(x: s.X, y: s.Before, Name: $"{s.Name}, {beforeLabel}", ShowMarkers: true, LineColor: colour, MarkerColor: colour),
                Chart.Line<double, double, string>(x: s.X, y: s.After, Name: $"{s.Name}, {afterLabel}", ShowMarkers: true, LineColor: colour, MarkerColor: colour,
                    LineDash: StyleParam.DrawingStyle.Dash),
            };
        });
        var chart = Chart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithSize(Width: 860, Height: 460);
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }
}
