using System.Text.Json.Nodes;
using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

public class NotebookLintTests
{
    public static TheoryData<string> AllNotebookNames() =>
        new(CourseNotebooks.AllFiles(RepoLayout.Find()).Select(p => Path.GetFileName(p)!));

    [Theory]
    [MemberData(nameof(AllNotebookNames))]
    public void Committed_notebook_follows_the_course_rules(string notebook)
    {
        var problems = NotebookLint.Check(Path.Combine(RepoLayout.Find().NotebooksDir, notebook));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_shared_setup_exists() =>
        Assert.True(File.Exists(Path.Combine(RepoLayout.Find().NotebooksDir, CourseNotebooks.SetupName)));

    private static JsonObject Clean() => TestNotebooks.Document(
        TestNotebooks.Markdown("intro", "# Title"),
        TestNotebooks.Code("setup", CourseNotebooks.ImportSetupLine),
        TestNotebooks.Code("work", "var x = 1;"));

    private static IReadOnlyList<string> Lint(JsonObject doc, string name = "01-test.ipynb") => NotebookLint.Check(TestNotebooks.Temp(name, doc));

    [Fact]
    public void A_clean_notebook_has_no_problems() => Assert.Empty(Lint(Clean()));

    [Fact]
    public void Invalid_json_is_reported()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bad.ipynb");
        File.WriteAllText(path, "{ \"cells\": [ ");
        Assert.Contains("not valid JSON", Assert.Single(NotebookLint.Check(path)));
    }

    [Fact]
    public void Old_nbformat_is_reported()
    {
        var doc = Clean();
        doc["nbformat_minor"] = 4;
        Assert.Contains("nbformat 4.4", Assert.Single(Lint(doc)));
    }

    [Fact]
    public void Missing_and_repeated_cell_ids_are_reported()
    {
        var doc = Clean();
        ((JsonObject)doc["cells"]![0]!).Remove("id");
        doc["cells"]![2]!["id"] = "setup";
        var problems = Lint(doc);
        Assert.Contains(problems, p => p.Contains("cell 1 has no id"));
        Assert.Contains(problems, p => p.Contains("cell 3 repeats id 'setup'"));
    }

    [Fact]
    public void Wrong_kernelspec_is_reported()
    {
        var doc = Clean();
        doc["metadata"]!["kernelspec"]!["name"] = "python3";
        Assert.Contains(".net-csharp", Assert.Single(Lint(doc)));
    }

    [Fact]
    public void Missing_polyglot_metadata_is_reported()
    {
        var doc = Clean();
        ((JsonObject)doc["metadata"]!).Remove("polyglot_notebook");
        ((JsonObject)doc["cells"]![2]!["metadata"]!).Remove("polyglot_notebook");
        var problems = Lint(doc);
        Assert.Contains(problems, p => p.Contains("polyglot_notebook.kernelInfo"));
        Assert.Contains(problems, p => p.Contains("cell 3 lacks the C# cell metadata"));
    }

    [Fact]
    public void Committed_outputs_are_reported()
    {
        var doc = Clean();
        ((JsonArray)doc["cells"]![2]!["outputs"]!).Add(TestNotebooks.Stdout("1\n"));
        Assert.Contains("cell 3 has 1 committed outputs", Assert.Single(Lint(doc)));
    }

    [Theory]
    [InlineData("File.ReadAllText(\"/home/ann/corpus.txt\")")]
    [InlineData("var p = \"/tmp/x\";")]
    [InlineData("var p = @\"C:\\Users\\ann\\x\";")]
    [InlineData("var p = \"D:\\\\data\\\\corpus.txt\";")]
    public void Absolute_paths_are_reported(string code)
    {
        var doc = Clean();
        doc["cells"]![2]!["source"] = code;
        Assert.Contains("absolute path", Assert.Single(Lint(doc)));
    }

    [Fact]
    public void A_printed_drive_letter_like_label_is_not_a_path()
    {
        var doc = Clean();
        doc["cells"]![2]!["source"] = "Console.WriteLine(\"Q:\\nA:\\n\");";
        Assert.Empty(Lint(doc));
    }

    [Fact]
    public void A_code_cell_over_sixty_lines_is_reported()
    {
        var doc = Clean();
        doc["cells"]![2]!["source"] = string.Join('\n', Enumerable.Range(0, 61).Select(i => $"var v{i} = {i};"));
        Assert.Contains("61 lines", Assert.Single(Lint(doc)));
    }

    [Fact]
    public void A_course_notebook_must_start_with_the_setup_import_but_setup_itself_need_not()
    {
        var doc = Clean();
        doc["cells"]![1]!["source"] = "var x = 1;";
        Assert.Contains(CourseNotebooks.ImportSetupLine, Assert.Single(Lint(doc)));
        Assert.Empty(Lint(doc, CourseNotebooks.SetupName));
    }
}
