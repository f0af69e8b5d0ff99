using System.Text.Json.Nodes;

namespace LlmCourse.Notebooks;

/// <summary>One cell of a notebook: what the tools need to report on it.</summary>
/// <param name="Number">1-based position among all cells (markdown included), as editors and dotnet-repl count.</param>
/// <param name="Kind">"code", "markdown" or "raw".</param>
/// <param name="Id">The cell's <c>id</c> (nbformat 4.5), or null (dotnet-repl's executed copies drop ids).</param>
/// <param name="Source">The cell's text.</param>
/// <param name="Outputs">The cell's outputs as stored in the file.</param>
/// <param name="Metadata">The cell's metadata object.</param>
public sealed record NotebookCell(int Number, string Kind, string? Id, string Source, IReadOnlyList<JsonObject> Outputs, JsonObject Metadata)
{
    /// <summary>The first non-blank line of the source, for messages.</summary>
    public string FirstLine => Source.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.Trim().Length > 0) ?? "";

    /// <summary>The text of every stream output (stdout and stderr) joined.</summary>
    public string StreamText => string.Concat(Outputs.Where(o => (string?)o["output_type"] == "stream").Select(o => NotebookFile.JoinText(o["text"])));
}

/// <summary>A Jupyter notebook (.ipynb) read as JSON, with its cells in order.</summary>
/// <param name="Path">Where it was read from.</param>
/// <param name="Json">The whole document.</param>
/// <param name="Cells">Its cells.</param>
public sealed record NotebookFile(string Path, JsonObject Json, IReadOnlyList<NotebookCell> Cells)
{
    /// <summary>The file name without folder, e.g. <c>00-what-is-an-llm.ipynb</c>.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The code cells only.</summary>
    public IEnumerable<NotebookCell> CodeCells => Cells.Where(c => c.Kind == "code");

    /// <summary>Reads a notebook.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or has no cell list.</exception>
    public static NotebookFile Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}). Fix the file or restore it with git.", e);
        }
        if (root is not JsonObject doc || doc["cells"] is not JsonArray cells)
            throw new InvalidDataException($"{path} has no \"cells\" list: it is not a Jupyter notebook.");
        var list = cells.Select((c, i) =>
        {
            var cell = c as JsonObject ?? new JsonObject();
            return new NotebookCell(
                i + 1,
                (string?)cell["cell_type"] ?? "",
                (string?)cell["id"],
                JoinText(cell["source"]),
                (cell["outputs"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [],
                cell["metadata"] as JsonObject ?? new JsonObject());
        }).ToList();
        return new NotebookFile(path, doc, list);
    }

    /// <summary>Joins a notebook text field, which may be one string or a list of lines.</summary>
    public static string JoinText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        _ => (string?)node ?? "",
    };
}
