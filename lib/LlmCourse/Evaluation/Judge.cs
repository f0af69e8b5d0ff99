namespace LlmCourse.Evaluation;

/// <summary>Which of two answers a judge prefers.</summary>
public enum Preference
{
    /// <summary>The first answer (model A's).</summary>
    A,

    /// <summary>The second answer (model B's).</summary>
    B,

    /// <summary>Neither: equally good, equally bad, or a judge that changed its mind when the order was swapped.</summary>
    Tie,
}

/// <summary>Compares two answers to one prompt. The first answer is shown first: a biased judge may favour it.</summary>
/// <param name="prompt">The prompt both answers respond to.</param>
/// <param name="first">The answer shown first.</param>
/// <param name="second">The answer shown second.</param>
public delegate Preference Judge(string prompt, string first, string second);

/// <summary>Ready-made judges from a score (a reward model) or a checkable property.</summary>
public static class Judges
{
    /// <summary>
    /// Prefers the answer with the higher score; scores closer than <paramref name="tieMargin"/> are a tie. Pass a
    /// reward model as <c>(prompt, answer) =&gt; reward</c>. Hole: a reward model has blind spots, and a policy trained
    /// against it finds them: a high win rate by the reward model alone can be reward hacking.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative or NaN margin.</exception>
    public static Judge ByScore(Func<string, string, double> score, double tieMargin = 0)
    {
        if (!(tieMargin >= 0))
            throw new ArgumentOutOfRangeException(nameof(tieMargin), tieMargin, "The tie margin must be 0 or more.");
        return (prompt, first, second) =>
        {
            double a = score(prompt, first), b = score(prompt, second);
            if (double.IsNaN(a) || double.IsNaN(b))
                throw new InvalidOperationException($"The score function returned NaN ({a} vs {b}); a judge needs numbers to compare.");
            return Math.Abs(a - b) <= tieMargin ? Preference.Tie : a > b ? Preference.A : Preference.B;
        };
    }

    /// <summary>
    /// Prefers the answer that has a checkable property (correct, concise, follows the format); both or neither is a
    /// tie. Hole: it sees only that property; two answers with it tie however different they are otherwise.
    /// </summary>
    public static Judge ByProperty(Func<string, string, bool> hasProperty) =>
        ByScore((prompt, answer) => hasProperty(prompt, answer) ? 1 : 0);
}
