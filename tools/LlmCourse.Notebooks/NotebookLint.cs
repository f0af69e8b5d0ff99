using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmCourse.Notebooks;

/// <summary>
/// The course's rules for committed notebooks, so VS Code and Jupyter open them as C#, diffs stay readable and every
/// notebook starts from the shared setup. Each problem names the fix.
/// </summary>
public static partial class NotebookLint
{
    /// <summary>Longest code cell allowed: longer machinery belongs in lib/, the cell shows what a student should read.</summary>
    public const int MaxCodeCellLines = 60;

    /// <summary>Problems in one notebook file; empty when it is clean.</summary>
    public static IReadOnlyList<string> Check(string path)
    {
        NotebookFile notebook;
        try
        {
            notebook = NotebookFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            return [e.Message];
        }
        var problems = new List<string>();
        void Problem(string text) => problems.Add($"{notebook.Name}: {text}");

        var doc = notebook.Json;
        if ((int?)doc["nbformat"] != 4 || ((int?)doc["nbformat_minor"] ?? 0) < 5)
            Problem($"nbformat {doc["nbformat"]}.{doc["nbformat_minor"]}: save it as nbformat 4.5 or later (cell ids need 4.5).");
        CheckNotebookMetadata(doc["metadata"] as JsonObject, Problem);

        var ids = new HashSet<string>();
        foreach (var cell in notebook.Cells)
        {
            if (string.IsNullOrWhiteSpace(cell.Id))
                Problem($"cell {cell.Number} has no id: give every cell a unique \"id\".");
            else if (!ids.Add(cell.Id))
                Problem($"cell {cell.Number} repeats id '{cell.Id}': ids must be unique.");
            if (AbsolutePath().Match(cell.Source) is { Success: true } absolute)
                Problem($"cell {cell.Number} holds an absolute path ('{absolute.Value}'): use a path relative to notebooks/ or Course.Root/DataDir.");
            if (cell.Kind != "code")
                continue;
            if (cell.Outputs.Count > 0)
                Problem($"cell {cell.Number} has {cell.Outputs.Count} committed outputs: clear outputs before committing (executed copies go to artifacts/).");
            var lines = cell.Source.TrimEnd().Split('\n').Length;
            if (lines > MaxCodeCellLines)
                Problem($"cell {cell.Number} has {lines} lines (max {MaxCodeCellLines}): move machinery into lib/ and keep the cell to what matters.");
            if ((string?)cell.Metadata["dotnet_interactive"]?["language"] != "csharp" || (string?)cell.Metadata["polyglot_notebook"]?["kernelName"] != "csharp")
                Problem($"cell {cell.Number} lacks the C# cell metadata: set dotnet_interactive.language and polyglot_notebook.kernelName to \"csharp\".");
        }

        if (notebook.Name != CourseNotebooks.SetupName && notebook.CodeCells.FirstOrDefault()?.Source.Trim() != CourseNotebooks.ImportSetupLine)
            Problem($"the first code cell must be exactly `{CourseNotebooks.ImportSetupLine}` (the shared setup: references, usings, native loading, seed).");
        return problems;
    }

    private static void CheckNotebookMetadata(JsonObject? metadata, Action<string> problem)
    {
        var kernelspec = metadata?["kernelspec"];
        if ((string?)kernelspec?["name"] != ".net-csharp" || (string?)kernelspec?["language"] != "C#" || (string?)kernelspec?["display_name"] != ".NET (C#)")
            problem("kernelspec must be {display_name \".NET (C#)\", language \"C#\", name \".net-csharp\"} so VS Code and Jupyter open it as C#.");
        if ((string?)metadata?["language_info"]?["name"] != "polyglot-notebook")
            problem("language_info.name must be \"polyglot-notebook\".");
        var kernelInfo = metadata?["polyglot_notebook"]?["kernelInfo"];
        var items = kernelInfo?["items"] as JsonArray;
        if ((string?)kernelInfo?["defaultKernelName"] != "csharp" || items is null || !items.Any(i => (string?)i?["name"] == "csharp"))
            problem("polyglot_notebook.kernelInfo must name \"csharp\" as defaultKernelName and list {aliases [], name \"csharp\"} in items.");
    }

    // A drive letter needs a folder after it (C:\Users\… or "C:\\Users\\…"), so a printed "Q:\n" is not taken for a path.
    [GeneratedRegex(@"(/tmp/|/root/|/home/|/Users/|\b[A-Za-z]:\\{1,2}[\w.\- ]+\\)")]
    private static partial Regex AbsolutePath();
}
