using System.Diagnostics;

namespace LlmCourse.Evaluation;

/// <summary>Two models' answers to one prompt, ready to be judged.</summary>
/// <param name="Prompt">The prompt.</param>
/// <param name="AnswerA">Model A's answer.</param>
/// <param name="AnswerB">Model B's answer.</param>
public sealed record AnswerPair(string Prompt, string AnswerA, string AnswerB);

/// <summary>One judged prompt.</summary>
/// <param name="Index">The prompt's position, from 0.</param>
/// <param name="Prompt">The prompt.</param>
/// <param name="AnswerA">Model A's answer.</param>
/// <param name="AnswerB">Model B's answer.</param>
/// <param name="Verdict">The judge's preference (a tie when the two orders disagreed).</param>
/// <param name="OrderFlipped">True when judging in both orders gave different winners: the judge's position bias at work.</param>
public sealed record PreferenceRow(int Index, string Prompt, string AnswerA, string AnswerB, Preference Verdict, bool OrderFlipped);

/// <summary>
/// Win rate of model A against model B: both answer the same prompts, a <see cref="Judge"/> picks the better answer
/// of each pair. This is how alignment is usually scored (there is no single right answer to compare with).
/// </summary>
/// <remarks>
/// What it measures: how often the judge prefers A, nothing more; the judge's taste is the metric. The holes: a
/// reward-model judge can be gamed by the policy trained against it; a judge that favours the answer shown first
/// inflates whichever model is shown first (judge both orders to expose it); and ties hide in averages, so they are
/// counted and reported, not dropped.
/// </remarks>
public static class PreferenceEval
{
    /// <summary>Lets both answerers answer every prompt (item seeds as in <see cref="TaskEval.ItemSeed"/>), then judges the pairs.</summary>
    /// <param name="nameA">Model A's name in tables.</param>
    /// <param name="nameB">Model B's name.</param>
    /// <param name="prompts">The prompts (at least one).</param>
    /// <param name="answerA">Model A.</param>
    /// <param name="answerB">Model B.</param>
    /// <param name="judge">Picks the better answer of each pair.</param>
    /// <param name="seed">The run's seed; both models get the same item seed for the same prompt.</param>
    /// <param name="bothOrders">Judge each pair as (A, B) and as (B, A); if the winners differ, the pair is a tie and the row is marked.</param>
    /// <exception cref="ArgumentException">No prompts.</exception>
    /// <exception cref="EvalItemException">An answerer or the judge threw; the message names the prompt.</exception>
    public static PreferenceResult Compare(string nameA, string nameB, IReadOnlyList<string> prompts, Answerer answerA, Answerer answerB,
        Judge judge, int seed = Course.DefaultSeed, bool bothOrders = false)
    {
        CheckNotEmpty(nameA, nameB, prompts.Count);
        var pairs = new List<AnswerPair>(prompts.Count);
        for (var i = 0; i < prompts.Count; i++)
        {
            var itemSeed = TaskEval.ItemSeed(seed, i);
            pairs.Add(new AnswerPair(prompts[i], Answer(nameA, answerA, prompts[i], itemSeed, i), Answer(nameB, answerB, prompts[i], itemSeed, i)));
        }
        return JudgePairs(nameA, nameB, pairs, judge, bothOrders);
    }

    /// <summary>Judges answers that were produced already.</summary>
    /// <inheritdoc cref="Compare"/>
    public static PreferenceResult JudgePairs(string nameA, string nameB, IReadOnlyList<AnswerPair> pairs, Judge judge, bool bothOrders = false)
    {
        CheckNotEmpty(nameA, nameB, pairs.Count);
        var clock = Stopwatch.StartNew();
        var rows = new List<PreferenceRow>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (prompt, a, b) = pairs[i];
            var verdict = Verdict(judge, prompt, a, b, i);
            var flipped = false;
            if (bothOrders)
            {
                var swapped = Verdict(judge, prompt, b, a, i) switch { Preference.A => Preference.B, Preference.B => Preference.A, _ => Preference.Tie };
                flipped = swapped != verdict;
                if (flipped)
                    verdict = Preference.Tie;
            }
            rows.Add(new PreferenceRow(i, prompt, a, b, verdict, flipped));
        }
        return new PreferenceResult(nameA, nameB, rows, clock.Elapsed);
    }

    private static string Answer(string name, Answerer answerer, string prompt, int seed, int index)
    {
        try
        {
            return answerer(prompt, seed) ?? "";
        }
        catch (Exception e)
        {
            throw new EvalItemException($"prompt-{index}", index, $"Model '{name}' failed to answer prompt #{index} ('{TaskEval.Shorten(prompt)}'): {e.Message}", e);
        }
    }

    private static Preference Verdict(Judge judge, string prompt, string first, string second, int index)
    {
        try
        {
            return judge(prompt, first, second);
        }
        catch (Exception e)
        {
            throw new EvalItemException($"prompt-{index}", index,
                $"The judge threw on prompt #{index} ('{TaskEval.Shorten(prompt)}') comparing '{TaskEval.Shorten(first)}' with '{TaskEval.Shorten(second)}': {e.Message}. " +
                "A judge must return a verdict for any pair of answers, empty ones included.", e);
        }
    }

    private static void CheckNotEmpty(string nameA, string nameB, int count)
    {
        if (count == 0)
            throw new ArgumentException($"No prompts to compare '{nameA}' and '{nameB}' on: a win rate over zero prompts means nothing. Pass at least one prompt.");
    }
}
