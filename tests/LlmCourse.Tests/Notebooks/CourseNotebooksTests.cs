using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

public class CourseNotebooksTests
{
    private static readonly string[] Notebooks = ["nb/00-intro.ipynb", "nb/01a-tokens.ipynb", "nb/01b-bpe.ipynb", "nb/02-model.ipynb"];

    [Fact]
    public void Only_keeps_notebooks_by_name_prefix_in_course_order() =>
        Assert.Equal(["nb/01a-tokens.ipynb", "nb/02-model.ipynb"], CourseNotebooks.Select(Notebooks, ["02", "01a"]));

    [Fact]
    public void No_prefix_keeps_all() => Assert.Equal(Notebooks, CourseNotebooks.Select(Notebooks, []));

    [Fact]
    public void An_unknown_prefix_is_an_error_listing_the_notebooks()
    {
        var e = Assert.Throws<ArgumentException>(() => CourseNotebooks.Select(Notebooks, ["07"]));
        Assert.Contains("'07'", e.Message);
        Assert.Contains("01b-bpe", e.Message);
    }

    [Fact]
    public void Discovery_skips_the_shared_setup_and_sorts_by_name()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        foreach (var name in new[] { "02-b.ipynb", "setup.ipynb", "00-a.ipynb", "notes.md" })
            File.WriteAllText(Path.Combine(root, "notebooks", name), "{}");

        Assert.Equal(["00-a.ipynb", "02-b.ipynb"], CourseNotebooks.Discover(new RepoLayout(root)).Select(Path.GetFileName));
    }

    [Fact]
    public void Log_watcher_counts_top_level_cells_only()
    {
        const string log = """
            2026-11-29T16:53:01Z [00-a-b-00] [KernelInvocationContext] [KernelInvocationContext]  ▶  +[ ⁞Ϲ⁞ SubmitCode # Title (Token: 8OgtLRCHkUO+/w==, TargetKernelName: markdown, DestinationUri: ) ]
            2026-11-29T16:53:01Z [00-a-c-00] [KernelScheduler] [Run]  ▶  +[ ⁞Ϲ⁞ SubmitCode # Title (Token: 8OgtLRCHkUO+/w==, TargetKernelName: markdown, DestinationUri: ) ]
            2026-11-29T16:53:02Z [00-d-e-00] [KernelInvocationContext] [KernelInvocationContext]  ▶  +[ ⁞Ϲ⁞ SubmitCode #!import setup.ipynb (Token: TdqYOyasAEmu06Op9+Si==, TargetKernelName: csharp, DestinationUri: ) ]
            2026-11-29T16:53:02Z [00-d-f-00] [KernelInvocationContext] [KernelInvocationContext]  ▶  +[ ⁞Ϲ⁞ SubmitCode using System.IO; (Token: TdqYOyasAEmu06Op9+Si==.1, TargetKernelName: csharp, DestinationUri: ) ]
            """;
        Assert.Equal(2, ReplLogWatcher.CountCellStarts(log));
    }
}
