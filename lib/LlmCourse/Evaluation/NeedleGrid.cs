using System.Globalization;
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

    /// <summary>
    /// Accuracy at each length over all depths, with its 95 % Wilson interval: one row per length (trials, right,
    /// accuracy, interval). A cell of the heatmap holds a few trials; a column holds them all, so this is where a
    /// drop with length can be told from noise.
    /// </summary>
    public string LengthTable()
    {
        var rows = Lengths.Select(length =>
        {
            var column = Trials.Where(t => t.Length == length).ToList();
            var right = column.Count(t => t.Correct);
            return (IReadOnlyList<string>)[length.ToString(CultureInfo.InvariantCulture), $"{right}/{column.Count}",
                FormattableString.Invariant($"{right / (double)column.Count:P0}"), ConfidenceInterval.Wilson(right, column.Count).ToString()];
        });
        return TextTable.Render(["length", "right", "accuracy", "95% interval"], rows, rightAligned: new HashSet<int> { 0, 1, 2 });
    }

    /// <summary>
    /// Right answers by how far back the needle sits: the distance from the needle's first token to the end of the
    /// prompt, which is how far the last position must look. Bands end at <paramref name="edges"/> (ascending), and a
    /// last band holds everything past the last edge: edges [96, 128] give "1–96", "97–128" and "&gt; 128". Empty bands
    /// are left out. With rotary positions, this distance (not the prompt length) is what the model may never have
    /// met in training.
    /// </summary>
    /// <exception cref="ArgumentException">No edges, or edges not strictly ascending and positive.</exception>
    public IReadOnlyList<NeedleBand> ByDistance(IReadOnlyList<int> edges)
    {
        if (edges.Count == 0 || edges[0] < 1 || edges.Zip(edges.Skip(1)).Any(p => p.Second <= p.First))
            throw new ArgumentException($"Distance edges [{string.Join(", ", edges)}] must be positive and strictly ascending, e.g. [96, 128, 256].", nameof(edges));
        var bands = new List<NeedleBand>();
        for (var b = 0; b <= edges.Count; b++)
        {
            var low = b == 0 ? 1 : edges[b - 1] + 1;
            var high = b < edges.Count ? edges[b] : int.MaxValue;
            var inBand = Trials.Where(t => t.Length - t.NeedlePosition >= low && t.Length - t.NeedlePosition <= high).ToList();
            if (inBand.Count > 0)
                bands.Add(new NeedleBand(low, high, inBand.Count(t => t.Correct), inBand.Count));
        }
        return bands;
    }

    /// <summary><see cref="ByDistance"/> as a table: distance band, right/trials, accuracy, 95 % Wilson interval.</summary>
    /// <inheritdoc cref="ByDistance"/>
    public string DistanceTable(IReadOnlyList<int> edges) =>
        TextTable.Render(["needle distance (tokens)", "right", "accuracy", "95% interval"],
            ByDistance(edges).Select(b => (IReadOnlyList<string>)[b.Label, $"{b.Right}/{b.Trials}",
                FormattableString.Invariant($"{b.Accuracy:P0}"), b.Interval.ToString()]),
            rightAligned: new HashSet<int> { 1, 2 });

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
