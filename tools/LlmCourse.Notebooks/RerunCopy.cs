using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmCourse.Notebooks;

/// <summary>
/// A notebook doubled: every cell, then every cell again, so one kernel runs the whole notebook twice. It checks the
/// course's promise that re-running a cell is safe, the way a student does it: after everything else has run.
/// </summary>
public static class RerunCopy
{
    /// <summary>How a doubled copy's file name starts; a dot hides it from notebook discovery, lint and git.</summary>
    public const string FilePrefix = ".rerun.";

    /// <summary>What a second-pass cell id ends with (ids must stay unique within a notebook).</summary>
    public const string IdSuffix = "-again";

    /// <summary>Writes the doubled copy of <paramref name="notebook"/> to <paramref name="path"/>.</summary>
    public static void Write(NotebookFile notebook, string path)
    {
        var doc = (JsonObject)notebook.Json.DeepClone();
        var cells = (JsonArray)doc["cells"]!;
        foreach (var cell in cells.Select(c => c!.DeepClone()).ToList())
        {
            if (cell is JsonObject o && o["id"] is JsonValue id)
                o["id"] = (string?)id + IdSuffix;
            cells.Add(cell);
        }
        File.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Maps failures of the doubled copy back to the original's cell numbers; a failure in the second pass says so,
    /// because it means the cell cannot be re-run, not that it is broken.
    /// </summary>
    /// <param name="failures">Failures reported for the doubled copy.</param>
    /// <param name="cellCount">Cells in the original notebook.</param>
    public static IReadOnlyList<CellFailure> MapFailures(IReadOnlyList<CellFailure> failures, int cellCount) =>
        failures.Select(f => f.Number <= cellCount
            ? f
            : f with
            {
                Number = f.Number - cellCount,
                Id = f.Id is { } id && id.EndsWith(IdSuffix, StringComparison.Ordinal) ? id[..^IdSuffix.Length] : f.Id,
                Error = "This cell passed on the first run but failed when the notebook ran again in the same kernel " +
                        "(re-running a cell must be safe: create or load what the cell changes inside the cell).\n" + f.Error,
            }).ToList();
}
