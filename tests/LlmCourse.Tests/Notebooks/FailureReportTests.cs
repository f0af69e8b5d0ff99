using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>A broken cell, run in the real kernel, is reported with the notebook, the cell and the error named.</summary>
[Collection(KernelTestCollection.Name)]
public class FailureReportTests
{
    [Fact]
    public void A_broken_cell_is_named_with_its_notebook_number_id_and_error()
    {
        var repo = KernelTestCollection.Repo;
        // Written under artifacts/ (inside the repository, so dotnet-repl finds the tool manifest), never in notebooks/.
        var folder = Directory.CreateDirectory(KernelTestCollection.OutputDirectory("broken-source")).FullName;
        var path = Path.Combine(folder, "zz-broken.ipynb");
        TestNotebooks.Write(path,
            TestNotebooks.Markdown("intro", "# A notebook with a broken cell"),
            TestNotebooks.Code("fine", "var answer = 6 * 7;"),
            TestNotebooks.Code("typo", "// the broken one\nint wrong = \"forty-two\";"),
            TestNotebooks.Code("after", "Console.WriteLine(answer);"));
        var executor = new NotebookExecutor(repo, KernelTestCollection.OutputDirectory("broken-run"), Quick: true, TimeSpan.FromMinutes(5));

        var run = executor.Run(path);

        Assert.False(run.Passed);
        var failure = Assert.Single(run.Failures);
        Assert.Equal(3, failure.Number);
        Assert.Equal("typo", failure.Id);
        Assert.Equal("// the broken one", failure.FirstLine);
        Assert.Contains("CS0029", failure.Error);
        var message = run.Describe();
        Assert.Contains("zz-broken.ipynb failed in cell 3 (id 'typo'): // the broken one", message);
        Assert.Contains("Cannot implicitly convert type 'string' to 'int'", message);
        Assert.NotNull(run.ExecutedPath);
        Assert.StartsWith(repo.ArtifactsDir, run.ExecutedPath);
    }
}
