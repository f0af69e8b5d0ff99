namespace LlmCourse.Notebooks;

/// <summary>Turns what dotnet-repl left behind (exit code, executed copy, output) into the failures of a <see cref="NotebookRun"/>.</summary>
public static class RunAnalysis
{
    /// <summary>
    /// How the shared setup's banner starts (must match <c>LlmCourse.Interactive.NotebookBanner.Prefix</c>; a test checks).
    /// The kernel swallows exceptions thrown inside a <c>#!import</c>ed notebook, so a missing banner is how a failed
    /// setup shows.
    /// </summary>
    public const string SetupBannerPrefix = "LlmCourse · ";

    /// <summary>Failing cells of an executed notebook, plus what the process result says (timeout, crash).</summary>
    /// <param name="source">The notebook as committed (for cell ids).</param>
    /// <param name="executed">The executed copy, or null when none was written.</param>
    /// <param name="process">How dotnet-repl ended.</param>
    /// <param name="cellsStarted">Cells the kernel had started (for a timeout message).</param>
    public static IReadOnlyList<CellFailure> Failures(NotebookFile source, NotebookFile? executed, ChildProcessResult process, int cellsStarted)
    {
        var failures = new List<CellFailure>();
        if (process.TimedOut)
        {
            var cell = source.Cells.ElementAtOrDefault(Math.Max(cellsStarted - 1, 0));
            failures.Add(new CellFailure(cellsStarted, cell?.Id, cell?.FirstLine ?? "",
                $"Timed out after {process.Elapsed.TotalMinutes:F1} min (the kernel was killed) while running this cell."));
            return failures;
        }
        if (executed is null)
        {
            failures.Add(new CellFailure(0, null, "(no cell)",
                $"dotnet-repl exited with code {process.ExitCode} without writing the executed notebook.\n{Tail(process.Output, 30)}"));
            return failures;
        }

        var idsMatch = executed.Cells.Count == source.Cells.Count;
        string? IdOf(NotebookCell c) => idsMatch ? source.Cells[c.Number - 1].Id : null;
        foreach (var cell in executed.CodeCells)
        {
            var errors = cell.Outputs.Where(o => (string?)o["output_type"] == "error").Select(ErrorText).ToList();
            if (errors.Count > 0)
                failures.Add(new CellFailure(cell.Number, IdOf(cell), cell.FirstLine, string.Join('\n', [.. SetupComplaints(cell), .. errors])));
        }

        var setup = executed.CodeCells.FirstOrDefault();
        if (setup is not null && setup.FirstLine.Trim() == CourseNotebooks.ImportSetupLine && failures.All(f => f.Number != setup.Number)
            && !setup.StreamText.Split('\n').Any(l => l.StartsWith(SetupBannerPrefix, StringComparison.Ordinal)))
        {
            var said = string.Join('\n', SetupComplaints(setup));
            failures.Insert(0, new CellFailure(setup.Number, IdOf(setup), setup.FirstLine,
                "The shared setup did not finish: its banner line was not printed. " +
                (said.Length > 0 ? said : "(The kernel does not report exceptions from inside an imported notebook: run notebooks/setup.ipynb alone to see the error.)")));
        }

        if (failures.Count == 0 && process.ExitCode != 0)
            failures.Add(new CellFailure(0, null, "(no cell)", $"dotnet-repl exited with code {process.ExitCode} although no cell shows an error.\n{Tail(process.Output, 30)}"));
        return failures;
    }

    /// <summary>Lines the shared setup printed starting with ✗: its own explanation of what went wrong (and the fix).</summary>
    private static IEnumerable<string> SetupComplaints(NotebookCell cell) =>
        cell.StreamText.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith('✗'));

    private static string ErrorText(System.Text.Json.Nodes.JsonObject output)
    {
        var name = (string?)output["ename"] ?? "Error";
        var value = (string?)output["evalue"] ?? "";
        return name == "Error" ? value : $"{name}: {value}";
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Trim().Split('\n').TakeLast(lines));
}
