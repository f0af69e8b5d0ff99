using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>A bar chart of a next-token distribution: what the model thinks could come next, most likely first.</summary>
public static class ProbabilityBars
{
    private static readonly IFormatProvider Invariant = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>
    /// Bars for the <paramref name="top"/> most probable tokens, tallest on the left, each labelled with its
    /// token (whitespace made visible, see <see cref="TokenLabels"/>) and its probability.
    /// </summary>
    /// <param name="tokens">The label of each token, index-aligned with <paramref name="probabilities"/>.</param>
    /// <param name="probabilities">The distribution, one value per token.</param>
    /// <param name="title">The chart title, e.g. the prompt the distribution follows.</param>
    /// <param name="top">How many bars to draw (the rest are summed in the subtitle).</param>
    /// <exception cref="ArgumentException">The two lists differ in length, or <paramref name="top"/> is below 1.</exception>
    public static GenericChart Create(IReadOnlyList<string> tokens, IReadOnlyList<double> probabilities, string title, int top = 20)
    {
        var bars = Top(tokens, probabilities, top);
        var labels = bars.Select(b => TokenLabels.Show(b.Token)).ToList();
        var rest = Math.Max(0, probabilities.Sum() - bars.Sum(b => b.Probability));
        var subtitle = bars.Count < tokens.Count
            ? $"<br><sub>top {bars.Count} of {tokens.Count} tokens; the other {tokens.Count - bars.Count} share {(rest * 100).ToString("0.0", Invariant)}%</sub>"
            : "";
        var chart = Chart.Column<double, string, string>(
                values: bars.Select(b => b.Probability),
                Keys: new Optional<IEnumerable<string>>(labels, true),
                MultiText: new Optional<IEnumerable<string>>(bars.Select(b => b.Probability.ToString("0.000", Invariant)), true),
                TextPosition: StyleParam.TextPosition.Outside)
            .WithXAxisStyle<double, double, string>(TitleText: "next token", CategoryOrder: StyleParam.CategoryOrder.Array,
                CategoryArray: new Optional<IEnumerable<string>>(labels, true))
            // Headroom above the tallest bar so its value label is not clipped.
            .WithYAxisStyle<double, double, string>(TitleText: "probability",
                MinMax: new Optional<Tuple<double, double>>(Tuple.Create(0.0, Math.Max(1e-9, bars[0].Probability) * 1.15), true))
            .WithSize(Width: 900, Height: 450);
        // Token glyphs such as "␣" are hard to read at the default 12 px; Plotly.NET.CSharp has no tick-font option,
        // so set it on the x axis object the call above created.
        if (chart.GetLayout().TryGetPropertyValue("xaxis") is { } axisValue && axisValue.Value is DynamicObj.DynamicObj axis)
        {
            var tickFont = new Font();
            tickFont.SetProperty("size", 17);
            axis.SetProperty("tickfont", tickFont);
        }
        // Plotly.NET.CSharp has no WithTitle; the F# API's Chart.withTitle returns a function to apply (null = no font).
        return Plotly.NET.Chart.withTitle(title + subtitle, null).Invoke(chart);
    }

    /// <summary>The <paramref name="top"/> most probable (token, probability) pairs, highest first; ties keep input order.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or <paramref name="top"/> is below 1.</exception>
    public static IReadOnlyList<(string Token, double Probability)> Top(IReadOnlyList<string> tokens, IReadOnlyList<double> probabilities, int top)
    {
        if (tokens.Count != probabilities.Count)
            throw new ArgumentException($"{tokens.Count} token labels but {probabilities.Count} probabilities: pass one label per probability.", nameof(tokens));
        if (top < 1)
            throw new ArgumentOutOfRangeException(nameof(top), top, "Show at least one bar.");
        return tokens.Zip(probabilities)
            .Select((pair, index) => (pair.First, pair.Second, index))
            .OrderByDescending(t => t.Second).ThenBy(t => t.index)
            .Take(top)
            .Select(t => (t.First, t.Second))
            .ToList();
    }
}
