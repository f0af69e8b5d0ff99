using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

public class HtmlExportTests
{
    private const string ChartOutput = """
        <div id="c1"></div><script type="text/javascript">
        var render = function() { var r = requirejs.config({context:'fsharp-plotly',paths:{plotly:'https://cdn.example/plotly'}}) || require;
        r(['plotly'], function(Plotly) { Plotly.newPlot('c1', [], {}, {}); }); }; render();
        </script>
        """;

    private static NotebookFile Executed(params System.Text.Json.Nodes.JsonObject[] cells) =>
        NotebookFile.Read(TestNotebooks.Temp("01-x.ipynb", TestNotebooks.Document(cells)));

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public void A_page_with_charts_embeds_plotly_js_once_and_answers_its_require_calls()
    {
        var page = HtmlExport.Render(Executed(
            TestNotebooks.Code("a", "chart1", TestNotebooks.Html(ChartOutput)),
            TestNotebooks.Code("b", "chart2", TestNotebooks.Html(ChartOutput.Replace("c1", "c2")))));

        Assert.Equal(1, Count(page, PlotlyJs.Source[^200..]));
        Assert.Contains("window.requirejs.config = function", page);
        Assert.True(page.IndexOf("window.requirejs =", StringComparison.Ordinal) < page.IndexOf("Plotly.newPlot('c1'", StringComparison.Ordinal));
        Assert.Equal(2, Count(page, "Plotly.newPlot('c"));
    }

    [Fact]
    public void A_page_without_charts_stays_small()
    {
        var page = HtmlExport.Render(Executed(TestNotebooks.Code("a", "Console.WriteLine(1);", TestNotebooks.Stdout("1\n"))));

        Assert.DoesNotContain("window.requirejs", page);
        Assert.True(page.Length < 10_000, $"{page.Length} characters");
    }

    [Fact]
    public void Markdown_is_rendered_and_code_and_text_outputs_are_escaped()
    {
        var page = HtmlExport.Render(Executed(
            TestNotebooks.Markdown("m", "# Bigrams\n\nA *tiny* model with `counts`."),
            TestNotebooks.Code("c", "if (a < b) Console.WriteLine(\"<b>\");", TestNotebooks.Stdout("<b>\n")),
            TestNotebooks.Code("e", "throw null;", TestNotebooks.Error("System.NullReferenceException: <oops>"))));

        Assert.Contains("<h1", page);
        Assert.Contains("<em>tiny</em>", page);
        Assert.Contains("<code>counts</code>", page);
        Assert.Contains("if (a &lt; b)", page);
        Assert.Contains("<pre class=\"output\">&lt;b&gt;", page);
        Assert.Contains("<pre class=\"output error\">System.NullReferenceException: &lt;oops&gt;", page);
    }

    [Fact]
    public void The_setup_cell_output_is_folded()
    {
        var page = HtmlExport.Render(Executed(TestNotebooks.Code("s", CourseNotebooks.ImportSetupLine, TestNotebooks.Stdout("Installing packages\n"))));
        Assert.Contains("<details><summary>setup output</summary>", page);
    }

    [Fact]
    public void The_embedded_plotly_js_is_the_one_plotly_net_draws_with() =>
        Assert.Contains("plotly.js v2.28", PlotlyJs.Source[..2000]);

    [Fact]
    public void Write_replaces_the_page_atomically()
    {
        var notebook = Executed(TestNotebooks.Code("a", "1"));
        var target = Path.Combine(Directory.CreateTempSubdirectory().FullName, "x.html");
        File.WriteAllText(target, "old");

        HtmlExport.Write(notebook, target);

        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(target));
        Assert.False(File.Exists(target + ".tmp"));
    }
}
