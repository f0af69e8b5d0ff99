using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>
/// Loss curves of a training run: the noisy per-step training loss (faint), its moving average, and the validation
/// loss (markers). A notebook redraws it in place as training goes: <c>chartDisplay.Update(LossChart.Create(...))</c>.
/// </summary>
public static class LossChart
{
    /// <summary>Builds the chart from (step, loss) points.</summary>
    /// <param name="train">Training loss per step.</param>
    /// <param name="validation">Validation loss per measurement.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="smoothing">Window of the moving average over the training loss (1 = none).</param>
    /// <param name="totalSteps">Fix the x-axis to the run's length so the chart does not rescale as it grows; null = autoscale.</param>
    public static GenericChart Create(IReadOnlyList<(int Step, double Loss)> train, IReadOnlyList<(int Step, double Loss)> validation,
        string title = "loss (nats per token)", int smoothing = 25, int? totalSteps = null)
    {
        var charts = new List<GenericChart>();
        if (train.Count > 0)
        {
            charts.Add(Chart.Line<int, double, string>(x: train.Select(p => p.Step), y: train.Select(p => p.Loss), Name: "train (per step)", Opacity: 0.3));
            charts.Add(Chart.Line<int, double, string>(x: train.Select(p => p.Step), y: MovingAverage(train.Select(p => p.Loss).ToList(), smoothing), Name: $"train (mean of {smoothing})"));
        }
        if (validation.Count > 0)
            charts.Add(Chart.Line<int, double, string>(x: validation.Select(p => p.Step), y: validation.Select(p => p.Loss), Name: "validation", ShowMarkers: true));
        if (charts.Count == 0)
            charts.Add(Chart.Line<int, double, string>(x: [0], y: [double.NaN], Name: "no data yet"));
        var chart = Chart.Combine(charts)
            .WithYAxisStyle<double, double, string>(TitleText: "loss")
            .WithSize(Width: 900, Height: 420);
        chart = totalSteps is { } steps
            ? chart.WithXAxisStyle<int, int, string>(TitleText: "step", MinMax: new Optional<Tuple<int, int>>(Tuple.Create(0, steps), true))
            : chart.WithXAxisStyle<int, int, string>(TitleText: "step");
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }

    /// <summary>The trailing moving average of <paramref name="values"/> over up to <paramref name="window"/> points.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is below 1.</exception>
    public static IReadOnlyList<double> MovingAverage(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var result = new double[values.Count];
        double sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
                sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
