using System.Text.RegularExpressions;

namespace LlmCourse.Notebooks;

/// <summary>
/// The number a notebook reports at its end with <c>LlmCourse.Report.Headline(label, value, unit)</c>, read back from the
/// printed line <c>Headline: label = value unit</c>.
/// </summary>
/// <param name="Label">What the number is.</param>
/// <param name="Value">The number as printed.</param>
/// <param name="Unit">Its unit (may be empty).</param>
public sealed partial record Headline(string Label, string Value, string Unit)
{
    /// <summary>The text that starts a headline line (must match <c>LlmCourse.Report.HeadlinePrefix</c>; a test checks).</summary>
    public const string Prefix = "Headline: ";

    /// <summary>The cell text for the summary table, e.g. <c>validation loss = 1.873 nats/token</c>.</summary>
    public override string ToString() => $"{Label} = {Value}{(Unit.Length > 0 ? " " + Unit : "")}";

    /// <summary>Parses one printed line, or returns null when it is not a headline.</summary>
    public static Headline? TryParse(string line)
    {
        var match = Line().Match(line.TrimEnd('\r'));
        return match.Success ? new Headline(match.Groups["label"].Value, match.Groups["value"].Value, match.Groups["unit"].Value) : null;
    }

    /// <summary>The last headline printed anywhere in the notebook's stream outputs, or null.</summary>
    public static Headline? FindLast(NotebookFile executed) =>
        executed.CodeCells.SelectMany(c => c.StreamText.Split('\n')).Select(TryParse).LastOrDefault(h => h is not null);

    [GeneratedRegex(@"^Headline: (?<label>.+?) = (?<value>\S+)(?: (?<unit>.+))?$")]
    private static partial Regex Line();
}
