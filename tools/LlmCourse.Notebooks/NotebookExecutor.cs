using System.Diagnostics;

namespace LlmCourse.Notebooks;

/// <summary>Progress of a running notebook, for a display.</summary>
/// <param name="CellsStarted">Cells the kernel has started (0 while the kernel starts).</param>
/// <param name="CellCount">Cells in the notebook, markdown included (the kernel submits those too).</param>
/// <param name="Elapsed">Time since the kernel was launched.</param>
public sealed record NotebookProgress(int CellsStarted, int CellCount, TimeSpan Elapsed);

/// <summary>
/// Executes a notebook in the real .NET Interactive kernel through dotnet-repl (the version pinned in the tool manifest),
/// writing the executed copy and the kernel log under <paramref name="OutputDirectory"/>, never over the source.
/// </summary>
/// <param name="Repo">The repository.</param>
/// <param name="OutputDirectory">Where executed copies (<c>NAME.ipynb</c>) and logs (<c>logs/NAME/</c>) go.</param>
/// <param name="Quick">Quick mode (<c>LLMCOURSE_QUICK=1</c>) or full mode (<c>LLMCOURSE_QUICK=0</c>).</param>
/// <param name="Timeout">The time limit per notebook; the kernel is killed after it.</param>
/// <param name="RunTwice">
/// Run every cell twice in one kernel: the whole notebook, then the whole notebook again (see <see cref="RerunCopy"/>).
/// A cell that works only on a fresh kernel (it adds a LoRA to a model it did not create, disposes something a later
/// cell needs, registers a handler twice) fails on the second pass. The course promises that re-running any cell is safe.
/// </param>
public sealed record NotebookExecutor(RepoLayout Repo, string OutputDirectory, bool Quick, TimeSpan Timeout, bool RunTwice = false)
{
    /// <summary>Runs one notebook and reports its failures (none means every cell passed).</summary>
    /// <param name="notebookPath">A notebook inside <c>notebooks/</c> (the kernel runs there so relative paths hold).</param>
    /// <param name="progress">Called about twice a second while it runs; may be null.</param>
    public NotebookRun Run(string notebookPath, Action<NotebookProgress>? progress = null)
    {
        var original = NotebookFile.Read(notebookPath);
        var name = Path.GetFileNameWithoutExtension(notebookPath);
        string? rerunPath = null;
        if (RunTwice)
        {
            // The copy sits beside the original so that '#!import setup.ipynb' and the setup's relative paths still hold.
            rerunPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, RerunCopy.FilePrefix + Path.GetFileName(notebookPath));
            RerunCopy.Write(original, rerunPath);
        }
        try
        {
            var run = Execute(rerunPath is null ? original : NotebookFile.Read(rerunPath), name, progress);
            return rerunPath is null ? run : run with { Notebook = notebookPath, Failures = RerunCopy.MapFailures(run.Failures, original.Cells.Count) };
        }
        finally
        {
            if (rerunPath is not null)
                File.Delete(rerunPath);
        }
    }

    private NotebookRun Execute(NotebookFile source, string name, Action<NotebookProgress>? progress)
    {
        var notebookPath = source.Path;
        var executedPath = Path.Combine(Directory.CreateDirectory(OutputDirectory).FullName, name + ".ipynb");
        var logDirectory = Path.Combine(OutputDirectory, "logs", name);
        File.Delete(executedPath); // a stale copy must never pass for this run's result
        if (Directory.Exists(logDirectory))
            Directory.Delete(logDirectory, recursive: true);
        Directory.CreateDirectory(logDirectory);

        var log = new ReplLogWatcher(logDirectory);
        var clock = Stopwatch.StartNew();
        var result = ChildProcess.Run(
            ChildProcess.Dotnet,
            ["repl", "--run", Path.GetFileName(notebookPath), "--exit-after-run", "--output-path", executedPath, "--log-path", logDirectory],
            Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, // dotnet-repl ignores --working-dir with --run
            new Dictionary<string, string?> { ["LLMCOURSE_QUICK"] = Quick ? "1" : "0", ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            Timeout,
            () => progress?.Invoke(new NotebookProgress(log.Poll(), source.Cells.Count, clock.Elapsed)));

        var executed = File.Exists(executedPath) ? NotebookFile.Read(executedPath) : null;
        var failures = RunAnalysis.Failures(source, executed, result, log.Poll());
        return new NotebookRun(notebookPath, result.Elapsed, failures, executed?.Path, executed is null ? null : Headline.FindLast(executed), logDirectory);
    }
}
