using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>Running a notebook twice in one kernel: the doubled copy, and a cell that is not safe to re-run, reported as such.</summary>
public class RerunCopyTests
{
    [Fact]
    public void The_copy_holds_every_cell_twice_with_unique_ids_and_the_same_sources()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "two.ipynb");
        TestNotebooks.Write(path, TestNotebooks.Markdown("intro", "# Two"), TestNotebooks.Code("a", "var x = 1;"), TestNotebooks.Code("b", "x++;"));
        var copyPath = Path.Combine(folder.Path, RerunCopy.FilePrefix + "two.ipynb");

        RerunCopy.Write(NotebookFile.Read(path), copyPath);

        var copy = NotebookFile.Read(copyPath);
        Assert.Equal(["intro", "a", "b", "intro-again", "a-again", "b-again"], copy.Cells.Select(c => c.Id));
        Assert.Equal(["# Two", "var x = 1;", "x++;", "# Two", "var x = 1;", "x++;"], copy.Cells.Select(c => c.Source));
    }

    [Fact]
    public void Failures_in_the_second_pass_map_back_to_the_original_cell_and_say_it_was_a_rerun()
    {
        var failures = RerunCopy.MapFailures([new CellFailure(2, "a", "var x = 1;", "boom"), new CellFailure(5, "a-again", "var x = 1;", "bang")], cellCount: 3);

        Assert.Equal(new CellFailure(2, "a", "var x = 1;", "boom"), failures[0]);
        Assert.Equal(2, failures[1].Number);
        Assert.Equal("a", failures[1].Id);
        Assert.Contains("failed when the notebook ran again in the same kernel", failures[1].Error);
        Assert.EndsWith("bang", failures[1].Error);
    }

    [Fact]
    public void Hidden_copies_beside_the_notebooks_are_not_course_notebooks()
    {
        using var folder = new TempFolder();
        var notebooks = Directory.CreateDirectory(Path.Combine(folder.Path, "notebooks")).FullName;
        File.WriteAllText(Path.Combine(notebooks, "00-a.ipynb"), "{}");
        File.WriteAllText(Path.Combine(notebooks, RerunCopy.FilePrefix + "00-a.ipynb"), "{}");

        var found = CourseNotebooks.Discover(new RepoLayout(folder.Path));

        Assert.Equal(["00-a.ipynb"], found.Select(Path.GetFileName));
    }
}

/// <summary>The same in the real kernel: a cell that works once but not twice fails the run, named and explained.</summary>
[Collection(KernelTestCollection.Name)]
public class RerunInKernelTests
{
    [Fact]
    public void A_cell_that_cannot_run_twice_fails_the_doubled_run_and_is_named()
    {
        var repo = KernelTestCollection.Repo;
        var folder = Directory.CreateDirectory(KernelTestCollection.OutputDirectory("rerun-source")).FullName;
        var path = Path.Combine(folder, "zz-once.ipynb");
        TestNotebooks.Write(path,
            TestNotebooks.Code("fine", "var answer = 6 * 7;"),
            TestNotebooks.Code("once", "// works on a fresh kernel only\nif (AppDomain.CurrentDomain.GetData(\"zz-once\") is not null) throw new InvalidOperationException(\"already ran\");\nAppDomain.CurrentDomain.SetData(\"zz-once\", true);"));
        var once = new NotebookExecutor(repo, KernelTestCollection.OutputDirectory("rerun-once"), Quick: true, TimeSpan.FromMinutes(5)).Run(path);
        var twice = new NotebookExecutor(repo, KernelTestCollection.OutputDirectory("rerun-twice"), Quick: true, TimeSpan.FromMinutes(5), RunTwice: true).Run(path);

        Assert.True(once.Passed, once.Describe());
        Assert.False(twice.Passed);
        var failure = Assert.Single(twice.Failures);
        Assert.Equal(2, failure.Number);
        Assert.Equal("once", failure.Id);
        Assert.Contains("already ran", failure.Error);
        Assert.Contains("ran again in the same kernel", failure.Error);
        Assert.Equal(path, twice.Notebook);
        Assert.False(File.Exists(Path.Combine(folder, RerunCopy.FilePrefix + "zz-once.ipynb")), "the doubled copy is removed after the run");
    }
}
