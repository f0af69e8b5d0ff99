namespace LlmCourse.Evaluation;

/// <summary>The outcome of a <see cref="PreferenceEval"/>: wins, losses, ties and the win rate of A over B.</summary>
/// <param name="NameA">Model A.</param>
/// <param name="NameB">Model B.</param>
/// <param name="Rows">One row per prompt.</param>
/// <param name="Elapsed">Time spent judging.</param>
public sealed record PreferenceResult(string NameA, string NameB, IReadOnlyList<PreferenceRow> Rows, TimeSpan Elapsed)
{
    /// <summary>Prompts where the judge preferred A.</summary>
    public int WinsA => Rows.Count(r => r.Verdict == Preference.A);

    /// <summary>Prompts where the judge preferred B.</summary>
    public int WinsB => Rows.Count(r => r.Verdict == Preference.B);

    /// <summary>Prompts with no winner.</summary>
    public int Ties => Rows.Count(r => r.Verdict == Preference.Tie);

    /// <summary>Pairs whose winner changed when the answers were shown in the other order (0 unless judged both ways).</summary>
    public int OrderFlips => Rows.Count(r => r.OrderFlipped);

    /// <summary>A's win rate with ties counted as half a win: (wins + ties / 2) / prompts. 0.5 = no difference.</summary>
    public double WinRate => (WinsA + Ties / 2.0) / Rows.Count;

    /// <summary>A's share of the decided prompts, wins / (wins + losses); NaN when every prompt tied.</summary>
    public double DecisiveWinRate => WinsA + WinsB == 0 ? double.NaN : (double)WinsA / (WinsA + WinsB);

    /// <summary>95 % Wilson interval of <see cref="DecisiveWinRate"/>; null when every prompt tied.</summary>
    public ConfidenceInterval? DecisiveInterval => WinsA + WinsB == 0 ? null : ConfidenceInterval.Wilson(WinsA, WinsA + WinsB);

    /// <summary>The rows as a table, at most <paramref name="maxRows"/>.</summary>
    public string ToTable(int maxRows = 20)
    {
        var table = TextTable.Render(["#", "prompt", NameA, NameB, "winner"],
            Rows.Take(maxRows).Select(r => (IReadOnlyList<string>)[r.Index.ToString(), r.Prompt, r.AnswerA, r.AnswerB,
                (r.Verdict switch { Preference.A => NameA, Preference.B => NameB, _ => "tie" }) + (r.OrderFlipped ? " (order flip)" : "")]),
            maxCellWidth: 32);
        return Rows.Count > maxRows ? table + $"({Rows.Count - maxRows} more rows)\n" : table;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{NameA} vs {NameB}: {WinsA} wins, {WinsB} losses, {Ties} ties{(OrderFlips > 0 ? $" ({OrderFlips} from order flips)" : "")} → win rate {WinRate:P1} (ties as half)") +
        (DecisiveInterval is { } interval ? FormattableString.Invariant($", {DecisiveWinRate:P1} of decided pairs {interval}") : ", no decided pairs");
}
