using System.Text;

namespace LlmCourse.Notebooks;

/// <summary>The outcome of executing one notebook in the real kernel.</summary>
/// <param name="Notebook">The source notebook's path.</param>
/// <param name="Elapsed">Wall time, kernel start included.</param>
/// <param name="Failures">Failing cells in notebook order (empty when it passed).</param>
/// <param name="ExecutedPath">The executed copy with outputs, or null when none was written.</param>
/// <param name="Headline">The number the notebook reported, or null.</param>
/// <param name="LogDirectory">dotnet-repl's log folder for this run.</param>
public sealed record NotebookRun(string Notebook, TimeSpan Elapsed, IReadOnlyList<CellFailure> Failures, string? ExecutedPath,
    Headline? Headline, string LogDirectory)
{
    /// <summary>True when every cell ran without error.</summary>
    public bool Passed => Failures.Count == 0;

    /// <summary>The notebook's file name.</summary>
    public string Name => Path.GetFileName(Notebook);

    /// <summary>
    /// A message naming the notebook, the first failing cell (number, id, first line) and its error, then the other
    /// failing cells (often consequences of the first), and where the executed copy and the kernel log are.
    /// </summary>
    public string Describe()
    {
        if (Passed)
            return $"{Name} passed in {Elapsed.TotalSeconds:F1} s.";
        var first = Failures[0];
        var text = new StringBuilder($"{Name} failed in {first.Where}\n{Indent(Trim(first.Error, 25))}\n");
        if (Failures.Count > 1)
            text.Append($"Also failing (maybe because of the first): {string.Join("; ", Failures.Skip(1).Select(f => f.Where))}\n");
        text.Append($"Executed copy: {ExecutedPath ?? "(none written)"}; kernel log: {LogDirectory}");
        return text.ToString();
    }

    private static string Trim(string text, int maxLines)
    {
        var lines = text.Trim().Split('\n');
        return lines.Length <= maxLines ? text.Trim() : string.Join('\n', lines.Take(maxLines)) + $"\n… ({lines.Length - maxLines} more lines)";
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "    " + l));
}
