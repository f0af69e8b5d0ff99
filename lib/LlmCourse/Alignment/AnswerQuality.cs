namespace LlmCourse.Alignment;

/// <summary>
/// The checkable property behind the preference data: a GOOD chat answer is correct (by its item's
/// <see cref="AnswerCheck"/>), concise (at most <see cref="ExtraWords"/> words longer than the ideal answer) and one
/// line (it stops instead of running on into prose). In every <see cref="PreferencePair"/> the chosen answer is good
/// and the rejected one is not, so a judge, a reward model's accuracy or a DPO win rate can be checked without a human.
/// </summary>
public static class AnswerQuality
{
    /// <summary>How many words past the ideal answer's length still count as concise.</summary>
    public const int ExtraWords = 2;

    /// <summary>Whether <paramref name="answer"/> is correct by the item's check.</summary>
    public static bool IsCorrect(InstructionItem item, string answer) => item.IsCorrect(answer);

    /// <summary>Whether <paramref name="answer"/> has at most the ideal answer's words + <see cref="ExtraWords"/>.</summary>
    public static bool IsConcise(InstructionItem item, string answer) => Words(answer) <= Words(item.Answer) + ExtraWords;

    /// <summary>Whether <paramref name="answer"/> is a single line once trimmed (no paragraph after the answer).</summary>
    public static bool IsOneLine(string answer) => !answer.Trim().Contains('\n');

    /// <summary>Correct, concise and one line: the property every chosen answer has and every rejected one lacks.</summary>
    public static bool IsGood(InstructionItem item, string answer) =>
        answer is not null && IsCorrect(item, answer) && IsConcise(item, answer) && IsOneLine(answer);

    private static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
