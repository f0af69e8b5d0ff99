using System.Globalization;

namespace LlmCourse;

/// <summary>
/// What a notebook reports to the course runner. Each notebook ends with one <see cref="Headline"/> call; the runner
/// (<c>tools/LlmCourse.Runner</c>) reads that line from the executed notebook and puts the number in its summary table.
/// </summary>
public static class Report
{
    /// <summary>The text every headline line starts with; the runner looks for it in the notebook's output.</summary>
    public const string HeadlinePrefix = "Headline: ";

    /// <summary>
    /// Prints the notebook's headline number as one line, e.g. <c>Headline: validation loss = 1.873 nats/token</c>,
    /// and returns that line.
    /// </summary>
    /// <param name="label">What the number is, e.g. "validation loss". One line, without " = ".</param>
    /// <param name="value">The number (written with invariant culture, 4 significant digits).</param>
    /// <param name="unit">Its unit, e.g. "nats/token", "tokens/s", "%"; may be empty.</param>
    /// <exception cref="ArgumentException">The label is empty, spans lines or holds " = ", or the unit spans lines.</exception>
    public static string Headline(string label, double value, string unit)
    {
        var line = FormatHeadline(label, value, unit);
        Console.WriteLine(line);
        return line;
    }

    /// <summary>The line <see cref="Headline"/> prints, without printing it.</summary>
    /// <inheritdoc cref="Headline" path="/param"/>
    /// <exception cref="ArgumentException">As for <see cref="Headline"/>.</exception>
    public static string FormatHeadline(string label, double value, string unit)
    {
        if (string.IsNullOrWhiteSpace(label) || label.Contains('\n') || label.Contains('\r') || label.Contains(" = ", StringComparison.Ordinal))
            throw new ArgumentException(
                $"Headline label '{label}' must be one non-empty line without ' = ' (the runner splits on it). Example: Report.Headline(\"validation loss\", 1.87, \"nats/token\").",
                nameof(label));
        if (unit.Contains('\n') || unit.Contains('\r'))
            throw new ArgumentException($"Headline unit '{unit}' must be one line, e.g. \"tokens/s\".", nameof(unit));
        var number = value.ToString("G4", CultureInfo.InvariantCulture);
        return $"{HeadlinePrefix}{label.Trim()} = {number}{(unit.Trim().Length > 0 ? " " + unit.Trim() : "")}";
    }
}
