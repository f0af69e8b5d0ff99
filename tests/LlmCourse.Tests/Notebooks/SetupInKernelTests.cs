using System.Text.Json.Nodes;
using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>The shared setup, run twice in one real kernel, then a chart: re-running is safe and Plotly.NET 6 draws.</summary>
[Collection(KernelTestCollection.Name)]
public class SetupInKernelTests
{
    [Fact]
    public void Setup_runs_twice_and_a_plotly_chart_renders()
    {
        var repo = KernelTestCollection.Repo;
        var setup = NotebookFile.Read(Path.Combine(repo.NotebooksDir, CourseNotebooks.SetupName));
        // The test notebook lives under artifacts/, so the setup's notebook-relative "../lib/" becomes absolute here.
        var libFolder = Path.Combine(repo.Root, "lib") + "/";
        var setupCells = setup.CodeCells.Select(c => c.Source.Replace("../lib/", libFolder, StringComparison.Ordinal)).ToList();
        var cells = setupCells.Select((s, i) => TestNotebooks.Code($"first-{i}", s))
            .Concat(setupCells.Select((s, i) => TestNotebooks.Code($"again-{i}", s)))
            .Append(TestNotebooks.Code("chart", "Chart.Column<float, string, string>(values: new float[] { 0.5f, 0.3f, 0.2f }, Keys: new[] { \"the\", \"a\", \"her\" })"))
            .Append(TestNotebooks.Code("torchsharp-copies", "Console.WriteLine($\"TorchSharp copies: {AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == \"TorchSharp\")}\");"))
            .ToArray();
        var folder = Directory.CreateDirectory(KernelTestCollection.OutputDirectory("setup-source")).FullName;
        var path = Path.Combine(folder, "setup-twice-and-chart.ipynb");
        TestNotebooks.Write(path, cells);

        var run = new NotebookExecutor(repo, KernelTestCollection.OutputDirectory("setup-run"), Quick: true, TimeSpan.FromMinutes(10)).Run(path);

        Assert.True(run.Passed, run.Describe());
        var executed = NotebookFile.Read(run.ExecutedPath!);
        var banners = executed.CodeCells.SelectMany(c => c.StreamText.Split('\n')).Count(l => l.StartsWith(RunAnalysis.SetupBannerPrefix, StringComparison.Ordinal));
        Assert.Equal(2, banners);
        var chart = executed.CodeCells.Single(c => c.Source.StartsWith("Chart.Column", StringComparison.Ordinal));
        Assert.Contains(chart.Outputs, o => HtmlOf(o).Contains("Plotly.newPlot", StringComparison.Ordinal));
        Assert.Equal("TorchSharp copies: 1", executed.CodeCells.Last().StreamText.Trim());
    }

    private static string HtmlOf(JsonObject output) => NotebookFile.JoinText(output["data"]?["text/html"]);
}
