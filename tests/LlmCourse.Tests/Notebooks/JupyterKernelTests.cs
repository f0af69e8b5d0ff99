using System.Text.Json.Nodes;
using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>The committed kernelspec (.jupyter/kernels/.net-csharp) runs a course notebook under Jupyter's own executor.</summary>
[Collection(KernelTestCollection.Name)]
public class JupyterKernelTests
{
    private static Dictionary<string, string?> Environment(RepoLayout repo) => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(repo.Root, ".jupyter"),
        ["LLMCOURSE_QUICK"] = "1",
        ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1", // quiets a debugger warning of Debian's Python
    };

    [JupyterFact]
    public void Jupyter_finds_the_committed_kernelspec()
    {
        Assert.True(JupyterFactAttribute.Available, $"CI=true but jupyter nbconvert is not on PATH: install {JupyterFactAttribute.AptPackages} (.ci/run does).");
        var repo = KernelTestCollection.Repo;

        var list = ChildProcess.Run("jupyter", ["kernelspec", "list", "--json"], repo.Root, Environment(repo), TimeSpan.FromMinutes(1));

        var specs = JsonNode.Parse(list.Output[list.Output.IndexOf('{')..])!["kernelspecs"]!;
        Assert.Equal(Path.Combine(repo.Root, ".jupyter", "kernels", ".net-csharp"), (string?)specs[".net-csharp"]?["resource_dir"]);
    }

    [JupyterFact]
    public void A_course_notebook_runs_through_nbconvert_with_the_committed_kernelspec()
    {
        Assert.True(JupyterFactAttribute.Available, $"CI=true but jupyter nbconvert is not on PATH: install {JupyterFactAttribute.AptPackages} (.ci/run does).");
        var repo = KernelTestCollection.Repo;
        var notebook = CourseNotebooks.Discover(repo).FirstOrDefault();
        Assert.True(notebook is not null, "notebooks/ holds no course notebook to run.");
        var outputDir = Directory.CreateDirectory(KernelTestCollection.OutputDirectory("jupyter")).FullName;
        var executedPath = Path.Combine(outputDir, Path.GetFileName(notebook));
        File.Delete(executedPath);

        // --allow-errors: keep going and write every output, so failures are reported per cell like the dotnet-repl path.
        var result = ChildProcess.Run("jupyter",
            ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=600",
             "--output-dir", outputDir, Path.GetFileName(notebook)],
            repo.NotebooksDir, Environment(repo), TimeSpan.FromMinutes(12));

        Assert.True(result.ExitCode == 0 && File.Exists(executedPath), $"nbconvert exited with {result.ExitCode}:\n{result.Output}");
        var failures = RunAnalysis.Failures(NotebookFile.Read(notebook), NotebookFile.Read(executedPath), result, 0);
        var run = new NotebookRun(notebook, result.Elapsed, failures, executedPath, null, "(nbconvert output above)");
        Assert.True(run.Passed, run.Describe() + "\n" + result.Output);
    }
}
