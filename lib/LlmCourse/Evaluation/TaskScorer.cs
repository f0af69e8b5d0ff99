namespace LlmCourse.Evaluation;

/// <summary>
/// Decides whether an answer is right. Each scorer has a known hole, and the choice of scorer moves accuracy as much
/// as the model does: read a sample of rows before trusting the number.
/// </summary>
/// <param name="Name">Shown in tables, e.g. "exact match".</param>
/// <param name="IsCorrect">(answer, item) → right or wrong; must not throw for any answer, the empty one included.</param>
public sealed record TaskScorer(string Name, Func<string, TaskItem, bool> IsCorrect)
{
    /// <summary>
    /// The answer, trimmed, equals the expected answer, trimmed. Hole: too strict; "Jane." or "Jane Bennet" for
    /// "Jane" score zero, so a model that knows the fact can fail on format.
    /// </summary>
    public static TaskScorer ExactMatch(bool ignoreCase = false) =>
        new(ignoreCase ? "exact match (any case)" : "exact match",
            (answer, item) => string.Equals(answer.Trim(), item.Expected.Trim(), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    /// <summary>
    /// The expected answer appears somewhere in the answer. Hole: too lenient; an answer that lists every candidate
    /// ("Jane, Kitty, Lydia, Mary") is right for all of them, and a model that rambles scores higher.
    /// </summary>
    public static TaskScorer Contains(bool ignoreCase = false) =>
        new(ignoreCase ? "contains (any case)" : "contains",
            (answer, item) => answer.Contains(item.Expected.Trim(), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    /// <summary>
    /// The answer's first line, trimmed, equals the expected answer: exact match for a model that keeps talking after
    /// it answered. Hole: whatever the model says after the first line is ignored, right or wrong.
    /// </summary>
    public static TaskScorer FirstLine(bool ignoreCase = false) =>
        new(ignoreCase ? "first line (any case)" : "first line",
            (answer, item) => string.Equals(answer.TrimStart().Split('\n')[0].Trim(), item.Expected.Trim(),
                ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    /// <summary>
    /// The answer's first word (run of letters and digits) equals the expected answer: for next-word tasks such as
    /// <see cref="ClozeTask"/>, where " Elizabeth, who" is right for "Elizabeth". Hole: "Eliza" is wrong for
    /// "Elizabeth" even when the model would have gone on to write the rest.
    /// </summary>
    public static TaskScorer FirstWord(bool ignoreCase = false) =>
        new(ignoreCase ? "first word (any case)" : "first word",
            (answer, item) => string.Equals(FirstWordOf(answer), item.Expected.Trim(), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    private static string FirstWordOf(string answer)
    {
        var start = 0;
        while (start < answer.Length && !char.IsLetterOrDigit(answer[start]))
            start++;
        var end = start;
        while (end < answer.Length && char.IsLetterOrDigit(answer[end]))
            end++;
        return answer[start..end];
    }

    /// <summary>A scorer of your own, e.g. a checkable property: <c>TaskScorer.Custom("is upper case", (a, _) => a == a.ToUpperInvariant())</c>.</summary>
    public static TaskScorer Custom(string name, Func<string, TaskItem, bool> isCorrect) => new(name, isCorrect);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
