using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>
/// Every course notebook runs through the real kernel (dotnet-repl) in quick mode, every cell without error, twice over in
/// the same kernel: top to bottom, then top to bottom again, because re-running any cell must be safe.
/// </summary>
[Collection(KernelTestCollection.Name)]
public class NotebookExecutionTests
{
    /// <summary>Stands in for the notebook list when notebooks/ has none, so the theory fails saying so.</summary>
    private const string NoNotebooks = "(no course notebook in notebooks/)";

    public static TheoryData<string> CourseNotebookNames()
    {
        var names = CourseNotebooks.Discover(RepoLayout.Find()).Select(p => Path.GetFileName(p)).ToList();
        return new TheoryData<string>(names.Count > 0 ? names : [NoNotebooks]);
    }

    [Theory]
    [MemberData(nameof(CourseNotebookNames))]
    public void Notebook_runs_twice_over_in_the_real_kernel_in_quick_mode(string notebook)
    {
        Assert.NotEqual(NoNotebooks, notebook);
        var repo = KernelTestCollection.Repo;
        var executor = new NotebookExecutor(repo, KernelTestCollection.OutputDirectory("dotnet-repl"), Quick: true, TimeSpan.FromMinutes(10), RunTwice: true);

        var run = executor.Run(Path.Combine(repo.NotebooksDir, notebook));

        Assert.True(run.Passed, run.Describe());
    }
}
