using LlmCourse.Plotting;
using Plotly.NET;

namespace LlmCourse.Evaluation;

/// <summary>The outcome of <see cref="NeedleProbe.Run"/>: accuracy per (depth, length) cell, and every trial.</summary>
/// <param name="Lengths">Prompt lengths, the columns.</param>
/// <param name="Depths">Needle depths, the rows.</param>
/// <param name="Trials">Every trial, in grid order.</param>
/// <param name="Chance">Accuracy of guessing a key at random.</param>
public sealed record NeedleGrid(IReadOnlyList<int> Lengths, IReadOnlyList<double> Depths, IReadOnlyList<NeedleTrial> Trials, double Chance)
{
    /// <summary>Share of right answers: <c>Accuracy[depth index][length index]</c>, one row per depth (the heatmap's layout).</summary>
    public double[][] Accuracy =>
        Depths.Select(depth => Lengths.Select(length =>
        {
            var cell = Trials.Where(t => t.Length == length && t.Depth == depth).ToList();
            return cell.Count(t => t.Correct) / (double)cell.Count;
        }).ToArray()).ToArray();

    /// <summary>Share of right answers over the whole grid.</summary>
    public double Overall => Trials.Count(t => t.Correct) / (double)Trials.Count;

    /// <summary>Share of right answers at each length (averaged over depths).</summary>
    public IReadOnlyList<double> ByLength => Lengths.Select(l => Trials.Where(t => t.Length == l).Average(t => t.Correct ? 1.0 : 0.0)).ToArray();

    /// <summary>The grid as a heatmap: x = prompt length, y = depth (0 at the top), colour = accuracy from 0 to 1.</summary>
    public GenericChart Heatmap(string title = "needle in a haystack: accuracy") =>
        GridHeatmap.Create(Accuracy,
            Lengths.Select(l => l.ToString()).ToArray(),
            Depths.Select(d => FormattableString.Invariant($"{d:0.##}")).ToArray(),
            title, xTitle: "prompt length (tokens)", yTitle: "needle depth", zMin: 0, zMax: 1);

    /// <summary>The grid as a table: one row per depth, one column per length, accuracy in each cell.</summary>
    public string ToTable()
    {
        var accuracy = Accuracy;
        return TextTable.Render(["depth \\ length", .. Lengths.Select(l => l.ToString())],
            Depths.Select((d, i) => (IReadOnlyList<string>)[FormattableString.Invariant($"{d:0.##}"), .. accuracy[i].Select(a => FormattableString.Invariant($"{a:P0}"))]),
            rightAligned: Enumerable.Range(1, Lengths.Count).ToHashSet());
    }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"needle grid {Depths.Count} depths × {Lengths.Count} lengths, {Trials.Count} trials: {Overall:P1} right (chance {Chance:P2})");
}
