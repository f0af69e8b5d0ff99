using System.Diagnostics;
using LlmCourse.Notebooks;
using LlmCourse.Runner;

// Runs the whole course headless; see RunnerOptions.Usage.
RunnerOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(RunnerOptions.Usage);
        return 0;
    }
    options = RunnerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"{e.Message}\n\n{RunnerOptions.Usage}");
    return 2;
}

var repo = RepoLayout.Find();
IReadOnlyList<string> notebooks;
try
{
    notebooks = CourseNotebooks.Select(CourseNotebooks.Discover(repo), options.Only);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (notebooks.Count == 0)
{
    Console.Error.WriteLine($"No notebooks in {repo.NotebooksDir}.");
    return 2;
}

var clock = Stopwatch.StartNew();
try
{
    Console.WriteLine($"Restoring the notebook tools … {DotnetCommands.RestoreTools(repo).TotalSeconds:F1} s");
    Console.WriteLine($"Building lib/LlmCourse … {DotnetCommands.BuildLibrary(repo).TotalSeconds:F1} s");
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

var outputDir = Path.Combine(repo.ArtifactsDir, "course");
var executor = new NotebookExecutor(repo, outputDir, options.Quick, TimeSpan.FromMinutes(options.TimeoutMinutes), options.Twice);
Console.WriteLine($"Running {notebooks.Count} notebook{(notebooks.Count == 1 ? "" : "s")} in {(options.Quick ? "quick" : "full")} mode; results go to {Path.GetRelativePath(repo.Root, outputDir)}/");
var runs = new List<NotebookRun>();
foreach (var (notebook, i) in notebooks.Select((n, i) => (n, i)))
{
    var progress = new ProgressLine($"[{i + 1}/{notebooks.Count}] {Path.GetFileNameWithoutExtension(notebook)}");
    var run = executor.Run(notebook, progress.Update);
    if (run.ExecutedPath is not null)
        HtmlExport.Write(NotebookFile.Read(run.ExecutedPath), Path.ChangeExtension(run.ExecutedPath, ".html"));
    progress.Finish(run);
    runs.Add(run);
}

Console.WriteLine();
Console.WriteLine(SummaryTable.Format(runs));
Console.WriteLine($"Wall time with restore and build: {clock.Elapsed.TotalMinutes:F1} min. Open {Path.GetRelativePath(repo.Root, outputDir)}/*.html to read the results.");
return runs.All(r => r.Passed) ? 0 : 1;
