using LlmCourse.Notebooks;

namespace LlmCourse.Runner;

/// <summary>
/// Shows where the run is: one line rewritten in place on a terminal; when output goes to a file or CI log, a line when
/// a new cell has started (at most every 5 s) and a heartbeat each minute during a long cell, so the log shows progress
/// without flooding.
/// </summary>
internal sealed class ProgressLine(string label)
{
    private readonly bool inPlace = !Console.IsOutputRedirected;
    private int lastCell = -1;
    private DateTime lastPrint = DateTime.MinValue;

    public void Update(NotebookProgress p)
    {
        var where = p.CellsStarted == 0 ? "starting the kernel" : $"cell {p.CellsStarted}/{p.CellCount}";
        var text = $"{label}  {where}  {p.Elapsed.TotalSeconds,6:F0} s";
        if (inPlace)
        {
            Console.Write($"\r{text}   ");
            return;
        }
        var sinceLast = DateTime.UtcNow - lastPrint;
        if ((p.CellsStarted != lastCell && sinceLast > TimeSpan.FromSeconds(5)) || sinceLast > TimeSpan.FromMinutes(1))
        {
            Console.WriteLine(text);
            lastCell = p.CellsStarted;
            lastPrint = DateTime.UtcNow;
        }
    }

    public void Finish(NotebookRun run)
    {
        if (inPlace)
            Console.Write("\r" + new string(' ', label.Length + 40) + "\r");
        Console.WriteLine($"{label}  {(run.Passed ? "passed" : "FAILED")} in {run.Elapsed.TotalSeconds:F1} s{(run.Headline is null ? "" : $"  ({run.Headline})")}");
        if (!run.Passed)
            Console.WriteLine(run.Describe());
    }
}
