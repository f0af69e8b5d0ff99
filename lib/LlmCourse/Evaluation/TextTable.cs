using System.Text;

namespace LlmCourse.Evaluation;

/// <summary>
/// Renders rows as an aligned Markdown table: readable as plain text in a cell's output, and a real table wherever
/// Markdown is rendered (<c>display(table, "text/markdown")</c> in a notebook, a README, a note).
/// </summary>
public static class TextTable
{
    /// <summary>Renders <paramref name="rows"/> under <paramref name="headers"/>; cells longer than <paramref name="maxCellWidth"/> are cut with "…".</summary>
    /// <param name="headers">Column titles.</param>
    /// <param name="rows">Cells, one list per row, as many as there are headers.</param>
    /// <param name="maxCellWidth">Longest cell shown in full.</param>
    /// <param name="rightAligned">Columns to right-align (numbers); null = none.</param>
    /// <exception cref="ArgumentException">A row has another number of cells than there are headers.</exception>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int maxCellWidth = 48, IReadOnlySet<int>? rightAligned = null)
    {
        var cells = new List<string[]> { headers.Select(h => Clean(h, maxCellWidth)).ToArray() };
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
                throw new ArgumentException($"A row has {row.Count} cells but there are {headers.Count} columns ({string.Join(", ", headers)}): give one cell per column.", nameof(rows));
            cells.Add(row.Select(c => Clean(c, maxCellWidth)).ToArray());
        }
        var widths = Enumerable.Range(0, headers.Count).Select(c => Math.Max(3, cells.Max(r => r[c].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> parts) => text.Append("| ").Append(string.Join(" | ", parts)).Append(" |\n");
        for (var r = 0; r < cells.Count; r++)
        {
            Line(cells[r].Select((cell, c) => rightAligned?.Contains(c) == true ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c])));
            if (r == 0)
                Line(widths.Select((w, c) => rightAligned?.Contains(c) == true ? new string('-', w - 1) + ":" : new string('-', w)));
        }
        return text.ToString();
    }

    /// <summary>One line, pipes escaped, cut to the width.</summary>
    private static string Clean(string? cell, int maxWidth)
    {
        var oneLine = (cell ?? "").Replace("\r", "").Replace("\n", "⏎").Replace("|", "\\|");
        return oneLine.Length <= maxWidth ? oneLine : oneLine[..Math.Max(1, maxWidth - 1)] + "…";
    }
}
