using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

public class RunAnalysisTests
{
    private static readonly ChildProcessResult Exited0 = new(0, "", false, TimeSpan.FromSeconds(3));

    private static NotebookFile Notebook(params System.Text.Json.Nodes.JsonObject[] cells) =>
        NotebookFile.Read(TestNotebooks.Temp("05-x.ipynb", TestNotebooks.Document(cells)));

    [Fact]
    public void A_setup_that_printed_its_banner_and_clean_cells_pass()
    {
        var executed = Notebook(
            TestNotebooks.Code("s", CourseNotebooks.ImportSetupLine, TestNotebooks.Stdout($"{RunAnalysis.SetupBannerPrefix}quick mode · 2 torch threads\n")),
            TestNotebooks.Code("w", "var x = 1;"));
        Assert.Empty(RunAnalysis.Failures(executed, executed, Exited0, 2));
    }

    [Fact]
    public void A_setup_without_its_banner_fails_with_what_it_said()
    {
        var executed = Notebook(
            TestNotebooks.Markdown("m", "# T"),
            TestNotebooks.Code("s", CourseNotebooks.ImportSetupLine, TestNotebooks.Stdout("✗ The course setup failed: LLMCOURSE_QUICK='maybe' is not a quick-mode value.\n")));

        var failure = Assert.Single(RunAnalysis.Failures(executed, executed, Exited0, 2));

        Assert.Equal(2, failure.Number);
        Assert.Equal("s", failure.Id);
        Assert.Contains("did not finish", failure.Error);
        Assert.Contains("LLMCOURSE_QUICK='maybe'", failure.Error);
    }

    [Fact]
    public void Error_outputs_name_their_cells_with_ids_from_the_source()
    {
        var source = Notebook(TestNotebooks.Code("first", "var a = 1;"), TestNotebooks.Code("second", "  \nthrow new Exception(\"x\");"));
        var executed = Notebook(TestNotebooks.Code("", "var a = 1;"), TestNotebooks.Code("", "  \nthrow new Exception(\"x\");", TestNotebooks.Error("System.Exception: x")));

        var failure = Assert.Single(RunAnalysis.Failures(source, executed, Exited0 with { ExitCode = 2 }, 2));

        Assert.Equal(new CellFailure(2, "second", "throw new Exception(\"x\");", "System.Exception: x"), failure);
    }

    [Fact]
    public void What_the_setup_printed_with_a_cross_leads_the_error_of_its_cell()
    {
        var executed = Notebook(TestNotebooks.Code("s", CourseNotebooks.ImportSetupLine,
            TestNotebooks.Stdout("✗ The course's helper library is not built. Run `dotnet build`.\n"),
            TestNotebooks.Error("(3,1): error CS0006: Metadata file '../lib/LlmCourse.dll' could not be found")));

        var failure = Assert.Single(RunAnalysis.Failures(executed, executed, Exited0 with { ExitCode = 2 }, 1));

        Assert.StartsWith("✗ The course's helper library is not built. Run `dotnet build`.\n(3,1): error CS0006", failure.Error);
    }

    [Fact]
    public void A_nonzero_exit_without_error_outputs_still_fails()
    {
        var executed = Notebook(TestNotebooks.Code("a", "1"));
        var failure = Assert.Single(RunAnalysis.Failures(executed, executed, Exited0 with { ExitCode = 139, Output = "Segmentation fault" }, 1));
        Assert.Contains("exited with code 139", failure.Error);
        Assert.Contains("Segmentation fault", failure.Error);
    }

    [Fact]
    public void A_missing_executed_copy_fails_with_the_process_output()
    {
        var source = Notebook(TestNotebooks.Code("a", "1"));
        var failure = Assert.Single(RunAnalysis.Failures(source, null, Exited0 with { ExitCode = 1, Output = "Unhandled exception" }, 0));
        Assert.Contains("without writing the executed notebook", failure.Error);
    }

    [Fact]
    public void A_timeout_names_the_cell_that_was_running()
    {
        var source = Notebook(TestNotebooks.Code("a", "1"), TestNotebooks.Code("train", "Train(steps: 1_000_000);"));
        var failure = Assert.Single(RunAnalysis.Failures(source, null, new ChildProcessResult(-1, "", true, TimeSpan.FromMinutes(10)), 2));
        Assert.Equal("train", failure.Id);
        Assert.Contains("Timed out after 10.0 min", failure.Error);
    }

    [Fact]
    public void The_run_description_lists_first_failure_then_the_others()
    {
        var run = new NotebookRun("notebooks/03-x.ipynb", TimeSpan.FromSeconds(9),
            [new CellFailure(4, "a", "var x = y;", "CS0103: y"), new CellFailure(6, "b", "x", "CS0103: x")], "artifacts/x.ipynb", null, "logs");
        var text = run.Describe();
        Assert.StartsWith("03-x.ipynb failed in cell 4 (id 'a'): var x = y;\n    CS0103: y", text);
        Assert.Contains("Also failing (maybe because of the first): cell 6 (id 'b'): x", text);
    }
}
