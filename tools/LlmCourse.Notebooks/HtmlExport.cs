using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Markdig;

namespace LlmCourse.Notebooks;

/// <summary>
/// Writes an executed notebook as one self-contained HTML page: markdown rendered, code shown, outputs as the kernel
/// produced them. Pages with charts embed plotly.js once, so they render with no network.
/// </summary>
public static class HtmlExport
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>
    /// Plotly.NET's chart snippets ask require.js for a module 'plotly' (from a CDN). This stand-in answers with the page's
    /// embedded copy instead, and it keeps the snippets from fetching require.js itself.
    /// </summary>
    private const string RequireShim = """
        window.requirejs = function (deps, callback) { callback(window.Plotly); };
        window.requirejs.config = function () { return window.requirejs; };
        """;

    private const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
        pre { background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; font-size: .85rem; }
        pre.code { border-left: 3px solid #6a8fd4; }
        pre.error { background: #fdecec; border-left: 3px solid #d44; }
        .cell { margin: 1rem 0; } .output { margin: .3rem 0 .3rem 1rem; }
        summary { cursor: pointer; color: #666; }
        """;

    /// <summary>Writes <paramref name="notebook"/> as HTML to <paramref name="htmlPath"/> (atomically: temp file, then rename).</summary>
    public static void Write(NotebookFile notebook, string htmlPath)
    {
        var temp = htmlPath + ".tmp";
        File.WriteAllText(temp, Render(notebook), Encoding.UTF8);
        File.Move(temp, htmlPath, overwrite: true);
    }

    /// <summary>The page for <paramref name="notebook"/>.</summary>
    public static string Render(NotebookFile notebook)
    {
        var body = new StringBuilder();
        foreach (var cell in notebook.Cells)
            body.Append(RenderCell(cell));
        var html = body.ToString();
        var page = new StringBuilder();
        page.Append($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{Escape(notebook.Name)}</title>\n<style>{Style}</style>\n");
        if (html.Contains("Plotly.newPlot", StringComparison.Ordinal))
            page.Append($"<script>{PlotlyJs.Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}</script>\n<script>{RequireShim}</script>\n");
        page.Append("</head>\n<body>\n").Append(html).Append("</body>\n</html>\n");
        return page.ToString();
    }

    private static string RenderCell(NotebookCell cell)
    {
        if (cell.Kind == "markdown")
            return $"<div class=\"cell markdown\">{Markdig.Markdown.ToHtml(cell.Source, Markdown)}</div>\n";
        if (cell.Kind != "code")
            return $"<div class=\"cell\"><pre>{Escape(cell.Source)}</pre></div>\n";
        var outputs = string.Concat(cell.Outputs.Select(RenderOutput));
        // The shared setup's outputs (package restore progress) matter only when something went wrong: fold them.
        if (cell.FirstLine.Trim() == CourseNotebooks.ImportSetupLine && outputs.Length > 0)
            outputs = $"<details><summary>setup output</summary>{outputs}</details>";
        return $"<div class=\"cell code\"><pre class=\"code\"><code>{Escape(cell.Source)}</code></pre>{outputs}</div>\n";
    }

    private static string RenderOutput(JsonObject output)
    {
        switch ((string?)output["output_type"])
        {
            case "stream":
                return $"<pre class=\"output\">{Escape(NotebookFile.JoinText(output["text"]))}</pre>";
            case "error":
                return $"<pre class=\"output error\">{Escape((string?)output["evalue"] ?? "")}</pre>";
            case "display_data" or "execute_result" when output["data"] is JsonObject data:
                if (data["text/html"] is { } htmlNode)
                    return $"<div class=\"output\">{NotebookFile.JoinText(htmlNode)}</div>";
                if (data["image/png"] is { } png)
                    return $"<div class=\"output\"><img src=\"data:image/png;base64,{NotebookFile.JoinText(png).Trim()}\"></div>";
                if (data["image/svg+xml"] is { } svg)
                    return $"<div class=\"output\">{NotebookFile.JoinText(svg)}</div>";
                return data["text/plain"] is { } plain ? $"<pre class=\"output\">{Escape(NotebookFile.JoinText(plain))}</pre>" : "";
            default:
                return "";
        }
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
