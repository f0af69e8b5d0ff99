using System.Globalization;
using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// Fresh prompts for preference tuning: word-counting instructions ("How many words: rose tea hill") that the SFT
/// model has never seen, built only from the words of the training split, so that no held-out word leaks in.
/// </summary>
/// <remarks>
/// Why not the SFT training prompts? The SFT model has memorised their answers: its greedy answer is right on almost
/// all of them, and the mistakes it makes when sampling them are temperature noise, not a skill it lacks. Pairs from
/// those prompts teach little that carries over. A new sentence to count is a new instance of a skill the model only
/// half has (its held-out word counts are right about three times in four), which is exactly what preference tuning
/// can sharpen: the model already writes the right count sometimes, and the judge says which time.
/// </remarks>
public static class PracticePrompts
{
    /// <summary>
    /// <paramref name="count"/> word-counting items over the training split's vocabulary (the words of its "letters"
    /// items), 2 to 6 words each, none equal to a prompt of <paramref name="instructions"/>, no two alike.
    /// </summary>
    /// <param name="instructions">The instruction data (its training words are the vocabulary; every prompt in it is avoided).</param>
    /// <param name="count">How many items.</param>
    /// <param name="seed">Seed of the sentences; same seed, same items.</param>
    /// <exception cref="ArgumentException">count below 1, or a training split without "letters" items to take words from.</exception>
    public static IReadOnlyList<InstructionItem> WordCounts(InstructionSet instructions, int count, long seed = Course.DefaultSeed)
    {
        if (count < 1)
            throw new ArgumentException($"count = {count}: ask for at least one practice prompt.", nameof(count));
        var vocabulary = instructions.Train.Where(i => i.Family == "letters").Select(i => i.Instance.Split('|')[1]).Distinct().ToList();
        if (vocabulary.Count < 2)
            throw new ArgumentException("The training split has no \"letters\" items to take words from: pass the course's instruction data (AlignmentDataFiles.LoadInstructions()).", nameof(instructions));
        var taken = instructions.Train.Concat(instructions.HeldOut).Select(i => i.User).ToHashSet(StringComparer.Ordinal);
        var random = new SeededRandom(seed);
        var items = new List<InstructionItem>(count);
        // 2..6 words from ~60 gives millions of sentences, so the loop ends quickly; the cap guards a tiny vocabulary.
        for (var tries = 0; items.Count < count; tries++)
        {
            if (tries > 100 * count)
                throw new ArgumentException($"Only {items.Count} new sentences found from {vocabulary.Count} training words; ask for fewer than {count}.", nameof(count));
            var length = 2 + (int)random.NextLong(5);
            var sentence = string.Join(' ', Enumerable.Range(0, length).Select(_ => vocabulary[(int)random.NextLong(vocabulary.Count)]));
            var user = $"How many words: {sentence}";
            if (!taken.Add(user))
                continue;
            items.Add(new InstructionItem($"practice-words-{items.Count + 1:000}", "words", $"words|{sentence}", null, user,
                length.ToString(CultureInfo.InvariantCulture), AnswerCheck.Exact));
        }
        return items;
    }
}
