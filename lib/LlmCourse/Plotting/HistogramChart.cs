using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>Histograms of several sets of numbers (weights, activations) on shared bins, as lines, so they overlay legibly.</summary>
public static class HistogramChart
{
    /// <summary>
    /// Shares of each series' values in <paramref name="bins"/> equal-width bins spanning the smallest to the largest
    /// value of all series (the last bin includes the maximum). Returns the bin centres and, per series, the share of
    /// its values in each bin (summing to 1), so series of different sizes compare.
    /// </summary>
    /// <exception cref="ArgumentException">No series, an empty series, non-finite values or fewer than 2 bins.</exception>
    public static (double[] Centers, IReadOnlyList<double[]> Shares) Bin(IReadOnlyList<float[]> series, int bins)
    {
        if (bins < 2)
            throw new ArgumentException($"A histogram needs at least 2 bins, got {bins}; 60–120 suit a few thousand values.", nameof(bins));
        if (series.Count == 0 || series.Any(s => s.Length == 0))
            throw new ArgumentException("Give at least one series, each with at least one value.", nameof(series));
        if (series.Any(s => s.Any(v => !float.IsFinite(v))))
            throw new ArgumentException("A series holds NaN or infinity: histogram finite values only (check the tensor first).", nameof(series));
        var lo = series.Min(s => s.Min());
        var hi = series.Max(s => s.Max());
        var width = hi > lo ? (hi - lo) / (double)bins : 1.0;
        var centers = Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width).ToArray();
        var shares = series.Select(values =>
        {
            var counts = new double[bins];
            foreach (var v in values) counts[Math.Min(bins - 1, (int)((v - lo) / width))]++;
            return counts.Select(c => c / values.Length).ToArray();
        }).ToList();
        return (centers, shares);
    }

    /// <summary>One line per series over shared bins; with <paramref name="logShares"/> the y axis is logarithmic, so rare large values (the tails quantization cares about) stay visible.</summary>
    /// <inheritdoc cref="Bin" path="/exception"/>
    public static GenericChart Create(string title, string xTitle, int bins, bool logShares, params (string Name, float[] Values)[] series)
    {
        var (centers, shares) = Bin(series.Select(s => s.Values).ToList(), bins);
        var chart = Chart.Combine(series.Zip(shares).Select(pair =>
            Chart.Line<double, double, string>(x: centers, y: pair.Second.Select(v => logShares && v == 0 ? double.NaN : v), Name: pair.First.Name)));
        chart = chart.WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: "share of values per bin", AxisType: logShares ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithSize(Width: 820, Height: 420);
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }
}
