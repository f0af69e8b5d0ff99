using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace LlmCourse.Plotting;

/// <summary>
/// A heatmap of a score grid with labelled axes and each cell's value written in it: the needle-in-a-haystack
/// depth × length grid, or any table of numbers over two settings. NaN cells are left blank.
/// </summary>
public static class GridHeatmap
{
    /// <summary>Draws <paramref name="values"/>[row][column]; rows run down from the first label.</summary>
    /// <param name="values">One array per row, all as long as <paramref name="columnLabels"/>.</param>
    /// <param name="columnLabels">x-axis categories.</param>
    /// <param name="rowLabels">y-axis categories, top to bottom.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="zMin">Value of the colour scale's low end (fixed so two grids compare); null = the data's minimum.</param>
    /// <param name="zMax">Value of the high end; null = the data's maximum.</param>
    /// <param name="cellFormat">How a cell's value is written (a d3 format, e.g. ".0%" or ".2f"); null writes nothing.</param>
    /// <exception cref="ArgumentException">The rows and labels do not match.</exception>
    public static GenericChart Create(IReadOnlyList<double[]> values, IReadOnlyList<string> columnLabels, IReadOnlyList<string> rowLabels, string title,
        string xTitle = "", string yTitle = "", double? zMin = null, double? zMax = null, string? cellFormat = ".0%")
    {
        if (values.Count != rowLabels.Count)
            throw new ArgumentException($"There are {values.Count} rows of values but {rowLabels.Count} row labels: give one label per row.", nameof(rowLabels));
        if (values.FirstOrDefault(r => r.Length != columnLabels.Count) is { } bad)
            throw new ArgumentException($"A row has {bad.Length} values but there are {columnLabels.Count} column labels: give one label per column.", nameof(columnLabels));

        var chart = Chart.Heatmap<double, string, string, string>(
            zData: values,
            X: new Optional<IEnumerable<string>>(columnLabels, true),
            Y: new Optional<IEnumerable<string>>(rowLabels, true),
            ColorScale: new Optional<StyleParam.Colorscale>(StyleParam.Colorscale.Viridis, true),
            ReverseYAxis: new Optional<bool>(true, true));
        chart = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
        {
            if (zMin is { } low)
                trace.SetProperty("zmin", low);
            if (zMax is { } high)
                trace.SetProperty("zmax", high);
            if (cellFormat is not null)
                trace.SetProperty("texttemplate", $"%{{z:{cellFormat}}}");
            return trace;
        }), chart);
        chart = chart.WithXAxisStyle<string, string, string>(TitleText: xTitle).WithYAxisStyle<string, string, string>(TitleText: yTitle)
            .WithSize(Width: Math.Max(420, 90 * columnLabels.Count + 200), Height: Math.Max(320, 50 * rowLabels.Count + 160));
        return Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }
}
