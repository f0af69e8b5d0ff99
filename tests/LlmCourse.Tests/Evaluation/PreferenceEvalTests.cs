using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class PreferenceEvalTests
{
    private static readonly string[] Prompts = ["capitalise: emma", "capitalise: jane", "capitalise: anne", "capitalise: fanny", "capitalise: harriet"];

    private static string Word(string prompt) => prompt["capitalise: ".Length..];

    private static bool IsRight(string prompt, string answer) => answer == Word(prompt).ToUpperInvariant();

    [Fact]
    public void A_checkable_property_counts_wins_losses_and_ties()
    {
        // A is right on emma, jane, anne; B is right on jane and fanny. Jane: both right (tie); harriet: both wrong (tie).
        Func<string, string> a = p => Word(p) is "emma" or "jane" or "anne" ? Word(p).ToUpperInvariant() : Word(p);
        Func<string, string> b = p => Word(p) is "jane" or "fanny" ? Word(p).ToUpperInvariant() : "?";
        var result = PreferenceEval.Compare("A", "B", Prompts, (p, _) => a(p), (p, _) => b(p), Judges.ByProperty(IsRight));

        Assert.Equal((2, 1, 2), (result.WinsA, result.WinsB, result.Ties));
        Assert.Equal((2 + 2 / 2.0) / 5, result.WinRate, 12);
        Assert.Equal(2 / 3.0, result.DecisiveWinRate, 12);
        Assert.Equal([Preference.A, Preference.Tie, Preference.A, Preference.B, Preference.Tie], result.Rows.Select(r => r.Verdict));
        Assert.Contains("2 ties", result.ToString());
    }

    [Fact]
    public void A_reward_model_judge_ties_within_its_margin()
    {
        var judge = Judges.ByScore((_, answer) => answer.Length, tieMargin: 1); // a reward that likes long answers
        var result = PreferenceEval.JudgePairs("long", "short",
            [new("p", "a much longer answer", "short"), new("p", "abc", "abcd"), new("p", "x", "a longer one")], judge);
        Assert.Equal((1, 1, 1), (result.WinsA, result.WinsB, result.Ties));
    }

    [Fact]
    public void Judging_both_orders_exposes_a_judge_that_favours_the_first_answer()
    {
        Judge firstAlwaysWins = (_, _, _) => Preference.A;
        var pairs = Prompts.Select(p => new AnswerPair(p, "x", "y")).ToList();

        var oneOrder = PreferenceEval.JudgePairs("A", "B", pairs, firstAlwaysWins);
        Assert.Equal(1.0, oneOrder.WinRate);

        var bothOrders = PreferenceEval.JudgePairs("A", "B", pairs, firstAlwaysWins, bothOrders: true);
        Assert.Equal((0, 0, 5, 5), (bothOrders.WinsA, bothOrders.WinsB, bothOrders.Ties, bothOrders.OrderFlips));
        Assert.Equal(0.5, bothOrders.WinRate);
        Assert.True(double.IsNaN(bothOrders.DecisiveWinRate));
    }

    [Fact]
    public void A_judge_that_throws_names_the_prompt_and_an_empty_set_is_refused()
    {
        Judge broken = (prompt, _, _) => prompt.EndsWith("anne") ? throw new InvalidOperationException("reward model crashed") : Preference.Tie;
        var error = Assert.Throws<EvalItemException>(() => PreferenceEval.JudgePairs("A", "B", Prompts.Select(p => new AnswerPair(p, "x", "y")).ToList(), broken));
        Assert.Equal(2, error.Index);
        Assert.Contains("prompt #2 ('capitalise: anne')", error.Message);
        Assert.Contains("No prompts", Assert.Throws<ArgumentException>(() => PreferenceEval.JudgePairs("A", "B", [], broken)).Message);
    }
}
