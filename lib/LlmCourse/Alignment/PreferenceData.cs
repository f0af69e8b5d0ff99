using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>The preference data: pairs made from the training items and pairs made from the held-out items.</summary>
/// <param name="Train">Pairs to train a reward model or DPO on.</param>
/// <param name="HeldOut">Pairs to measure on (their prompts are held-out instruction items).</param>
public sealed record PreferenceSet(IReadOnlyList<PreferencePair> Train, IReadOnlyList<PreferencePair> HeldOut);

/// <summary>
/// Generates preference pairs from instruction items, deterministically. The property (stated once, checked by
/// <see cref="AnswerQuality.IsGood"/>): <b>the chosen answer is correct, concise and one line; the rejected answer is
/// wrong (<see cref="RejectionKind.Wrong"/>), or right but rambling (<see cref="RejectionKind.Rambling"/>), or right
/// but does not stop and runs on into novel prose, ignoring the chat format (<see cref="RejectionKind.RunsOn"/>)</b>.
/// The three kinds rotate through the items, so a reward model must learn all three, not one shortcut such as length.
/// </summary>
public static class PreferenceData
{
    private static readonly string[] RamblingTails =
    [
        "I believe that is right, though I could say a great deal more about it if you wished.",
        "That is my answer, and I hope it is a satisfactory one, for I have thought about it a long while.",
        "Or so I think; one can never be quite certain of such things, can one, my dear?",
        "I am almost sure of it, and I should be very happy to explain why at some length.",
    ];

    private static readonly string[] RunOns =
    [
        "\n\nCHAPTER XII\n\nIt was a fine morning, and the ladies walked out together.",
        "\n\n\"My dear,\" said she, \"have you heard the news from the village?\"",
        "\n\nShe said no more, and the rest of the evening passed in silence.",
        "\n\nThe next day brought a letter, and with it a great deal of company.",
    ];

    /// <summary>Makes one pair per instruction item of each split (ids "train-pref-0001", "heldout-pref-0001", ...).</summary>
    /// <param name="instructions">The instruction data (usually <see cref="InstructionData.Generate"/>).</param>
    /// <param name="seed">Seed of the choices (which kind, which wrong answer, which tail).</param>
    public static PreferenceSet Generate(InstructionSet instructions, long seed = Course.DefaultSeed)
    {
        var random = new SeededRandom(seed ^ 0x5052_4546); // a stream of its own, unlike the instruction generator's
        return new PreferenceSet(Pairs("train", instructions.Train, random), Pairs("heldout", instructions.HeldOut, random));
    }

    private static List<PreferencePair> Pairs(string split, IReadOnlyList<InstructionItem> items, SeededRandom random)
    {
        var answersByFamily = items.GroupBy(i => i.Family).ToDictionary(g => g.Key, g => g.Select(i => i.Answer).Distinct().ToList());
        var pairs = new List<PreferencePair>(items.Count);
        foreach (var item in items)
        {
            var kind = (RejectionKind)(pairs.Count % 3);
            var rejected = kind switch
            {
                RejectionKind.Wrong => WrongAnswer(item, answersByFamily[item.Family], random),
                RejectionKind.Rambling => $"{item.Answer}{(item.Answer.EndsWith('.') ? "" : ".")} {RamblingTails[random.NextLong(RamblingTails.Length)]}",
                _ => item.Answer + RunOns[random.NextLong(RunOns.Length)],
            };
            pairs.Add(new PreferencePair($"{split}-pref-{pairs.Count + 1:0000}", item.Id, item.Family, item.System, item.User,
                item.Answer, rejected, kind).Validate());
        }
        return pairs;
    }

    /// <summary>Another item's answer of the same task that this item's check marks wrong (a different number for counts).</summary>
    private static string WrongAnswer(InstructionItem item, List<string> familyAnswers, SeededRandom random)
    {
        var candidates = familyAnswers.Where(a => !item.IsCorrect(a)).ToList();
        if (candidates.Count == 0)
            throw new InvalidOperationException($"No wrong answer for item '{item.Id}' among its family's answers; the family '{item.Family}' needs at least two distinct answers.");
        return candidates[(int)random.NextLong(candidates.Count)];
    }
}
