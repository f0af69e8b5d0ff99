using System.Text.RegularExpressions;

namespace LlmCourse.Evaluation;

/// <summary>One probe: where the needle was, what the model said, whether it was the key.</summary>
/// <param name="Length">Prompt tokens.</param>
/// <param name="Depth">Requested depth, 0..1.</param>
/// <param name="NeedlePosition">Token where the needle started.</param>
/// <param name="Key">The hidden key.</param>
/// <param name="Answer">The answerer's text.</param>
/// <param name="Correct">The first number in the answer is the key.</param>
public sealed record NeedleTrial(int Length, double Depth, int NeedlePosition, string Key, string Answer, bool Correct);

/// <summary>
/// Needle in a haystack: can the model find one fact at any depth of a long context? For every (depth, length) cell
/// of a grid it hides a fresh random key in filler a few times, asks for it, and records the share of right answers.
/// </summary>
/// <remarks>
/// What it measures: retrieval of one verbatim fact from anywhere in the context, which breaks when a model runs
/// past the positions it was trained on. The hole: it is the easiest long-context task there is (one fact, a
/// literal question, no reasoning), so passing it says little about using a long context well; failing it is the
/// informative outcome. An answer counts when its first number equals the key, so chance is
/// <see cref="NeedleSettings.ChanceAccuracy"/>.
/// </remarks>
public static partial class NeedleProbe
{
    /// <summary>Runs the grid: <paramref name="trialsPerCell"/> prompts per (length, depth), each answered by <paramref name="answer"/>.</summary>
    /// <param name="haystack">Builds the prompts.</param>
    /// <param name="lengths">Prompt lengths in tokens (the grid's columns).</param>
    /// <param name="depths">Needle depths in [0, 1] (the grid's rows).</param>
    /// <param name="answer">Reads a case (its <see cref="NeedleCase.PromptIds"/> or <see cref="NeedleCase.Prompt"/>) and answers.</param>
    /// <param name="trialsPerCell">Prompts per cell, each with its own key and filler.</param>
    /// <param name="seed">Same seed, same keys and filler.</param>
    /// <param name="onTrial">Called after each trial (progress).</param>
    /// <exception cref="ArgumentException">An empty grid, a depth outside [0, 1], a length too short for the needle, or fewer than one trial.</exception>
    /// <exception cref="EvalItemException">The answerer threw; the message names the cell.</exception>
    public static NeedleGrid Run(NeedleHaystack haystack, IReadOnlyList<int> lengths, IReadOnlyList<double> depths, Func<NeedleCase, string> answer,
        int trialsPerCell = 4, int seed = Course.DefaultSeed, Action<NeedleTrial>? onTrial = null)
    {
        if (lengths.Count == 0 || depths.Count == 0)
            throw new ArgumentException($"The grid is empty ({lengths.Count} lengths × {depths.Count} depths): give at least one of each, e.g. lengths [64, 128], depths [0, 0.5, 1].");
        if (trialsPerCell < 1)
            throw new ArgumentOutOfRangeException(nameof(trialsPerCell), trialsPerCell, "Use at least one trial per cell.");
        foreach (var depth in depths)
            if (!(depth is >= 0 and <= 1))
                throw new ArgumentOutOfRangeException(nameof(depths), depth, "Depths are fractions of the haystack, 0..1.");
        foreach (var length in lengths)
            if (length < haystack.MinimumLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), length, $"Length {length} cannot hold the needle and the question: use at least {haystack.MinimumLength}.");
        if (lengths.Distinct().Count() != lengths.Count || depths.Distinct().Count() != depths.Count)
            throw new ArgumentException("A length or a depth appears twice in the grid: list each once (raise trialsPerCell for more samples per cell).");

        var trials = new List<NeedleTrial>(lengths.Count * depths.Count * trialsPerCell);
        var index = 0;
        for (var l = 0; l < lengths.Count; l++)
            for (var d = 0; d < depths.Count; d++)
                for (var t = 0; t < trialsPerCell; t++, index++)
                {
                    var probe = haystack.Build(lengths[l], depths[d], TaskEval.ItemSeed(seed, index));
                    string response;
                    try
                    {
                        response = answer(probe) ?? "";
                    }
                    catch (Exception e)
                    {
                        throw new EvalItemException($"length {lengths[l]}, depth {depths[d]}, trial {t}", index,
                            $"The answerer failed on the needle probe at length {lengths[l]}, depth {depths[d]} (trial {t}, key {probe.Key}): {e.Message}", e);
                    }
                    var trial = new NeedleTrial(lengths[l], depths[d], probe.NeedlePosition, probe.Key, response, IsCorrect(probe.Key, response));
                    trials.Add(trial);
                    onTrial?.Invoke(trial);
                }
        return new NeedleGrid(lengths.ToArray(), depths.ToArray(), trials, haystack.Settings.ChanceAccuracy);
    }

    /// <summary>True when the first number in <paramref name="answer"/> is <paramref name="key"/>: " 4721." is right, "4271 or 4721" is not.</summary>
    public static bool IsCorrect(string key, string answer) => FirstNumber().Match(answer) is { Success: true } m && m.Value == key;

    [GeneratedRegex("[0-9]+")]
    private static partial Regex FirstNumber();
}
