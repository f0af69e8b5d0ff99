using LlmCourse.Notebooks;

namespace LlmCourse.Runner;

/// <summary>The table the runner ends with: notebook, status, wall time, headline number.</summary>
internal static class SummaryTable
{
    public static string Format(IReadOnlyList<NotebookRun> runs)
    {
        string[] header = ["notebook", "status", "wall time", "headline"];
        var rows = runs.Select(r => new[]
        {
            Path.GetFileNameWithoutExtension(r.Notebook),
            r.Passed ? "passed" : "FAILED",
            $"{r.Elapsed.TotalSeconds:F1} s",
            r.Headline?.ToString() ?? "—",
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 2 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        var rule = string.Join("  ", widths.Select(w => new string('-', w)));
        var total = TimeSpan.FromTicks(runs.Sum(r => r.Elapsed.Ticks));
        return string.Join('\n', [Line(header), rule, .. rows.Select(Line), rule,
            $"{runs.Count(r => r.Passed)} passed, {runs.Count(r => !r.Passed)} failed; total {total.TotalMinutes:F1} min"]);
    }
}
