using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>Named series as lines or grouped bars, in one call, for comparing a few runs or layers.</summary>
public static class SeriesChart
{
    /// <summary>One line (with markers) per series.</summary>
    /// <exception cref="ArgumentException">A series has different numbers of x and y values, or there is no series.</exception>
    public static GenericChart Lines(string title, string xTitle, string yTitle, params (string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)[] series)
    {
        if (series.Length == 0)
            throw new ArgumentException("Give at least one series: (name, x values, y values).", nameof(series));
        foreach (var (name, x, y) in series)
            if (x.Count != y.Count)
                throw new ArgumentException($"Series '{name}' has {x.Count} x values but {y.Count} y values: give one y per x.", nameof(series));
        var chart = Chart.Combine(series.Select(s => Chart.Line<double, double, string>(x: s.X, y: s.Y, Name: s.Name, ShowMarkers: true)));
        return Finish(chart.WithXAxisStyle<double, double, string>(TitleText: xTitle), title, yTitle);
    }

    /// <summary>Grouped bars: one group per category, one bar per series in each group.</summary>
    /// <exception cref="ArgumentException">A series has a different number of values than there are categories, or there is no series.</exception>
    public static GenericChart Bars(string title, IReadOnlyList<string> categories, string yTitle, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        if (series.Length == 0)
            throw new ArgumentException("Give at least one series: (name, one value per category).", nameof(series));
        foreach (var (name, values) in series)
            if (values.Count != categories.Count)
                throw new ArgumentException($"Series '{name}' has {values.Count} values for {categories.Count} categories: give one value per category.", nameof(series));
        var chart = Chart.Combine(series.Select(s => Chart.Column<double, string, string>(
            s.Values, Keys: new Optional<IEnumerable<string>>(categories, true), Name: s.Name)));
        return Finish(chart, title, yTitle);
    }

    private static GenericChart Finish(GenericChart chart, string title, string yTitle) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart.WithYAxisStyle<double, double, string>(TitleText: yTitle).WithSize(Width: 820, Height: 420));
}
