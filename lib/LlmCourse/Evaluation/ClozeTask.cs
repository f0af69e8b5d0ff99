using System.Text.RegularExpressions;
using LlmCourse.Training;

namespace LlmCourse.Evaluation;

/// <summary>
/// A task any language model can be scored on without fine-tuning: read a passage, predict the next word (in the
/// spirit of LAMBADA). By default only words already mentioned in the passage are asked for, so the passage holds
/// the answer and the task rewards using the context, not guessing common words.
/// </summary>
/// <remarks>
/// What it measures: next-word accuracy at chosen, context-dependent points of held-out text, a number a student can
/// read ("gets Elizabeth right 1 time in 3") where perplexity is abstract. The hole: "mentioned earlier" favours
/// names and a copying strategy; a model that repeats the passage's last capitalised word scores better than its
/// understanding deserves. Score with <see cref="TaskScorer.FirstWord"/>.
/// </remarks>
public static partial class ClozeTask
{
    /// <summary>
    /// Builds <paramref name="count"/> items from <paramref name="text"/>: each prompt is the passage of up to
    /// <paramref name="contextCharacters"/> characters before a word of at least <paramref name="minWordLength"/>
    /// letters (starting at a word, ending just before the space in front of the word); the expected answer is the word.
    /// Passages do not overlap. Deterministic for a seed.
    /// </summary>
    /// <param name="text">Held-out text, e.g. <c>Corpus.Austen.Validation</c>.</param>
    /// <param name="count">Items wanted.</param>
    /// <param name="contextCharacters">Longest passage; keep it within the model's context (about 3 characters per BPE token).</param>
    /// <param name="seed">Which candidate points are chosen.</param>
    /// <param name="idPrefix">Item ids are the prefix and the word's character offset in the text.</param>
    /// <param name="requireEarlierMention">Only ask for words that already occur in the passage.</param>
    /// <param name="minWordLength">Shortest word asked for (short words are mostly "the", "and").</param>
    /// <exception cref="ArgumentException">The text holds fewer suitable, non-overlapping points than asked for, or a size is out of range.</exception>
    public static IReadOnlyList<TaskItem> FromText(string text, int count, int contextCharacters = 300, int seed = Course.DefaultSeed,
        string idPrefix = "cloze", bool requireEarlierMention = true, int minWordLength = 5)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one item.");
        if (contextCharacters < 20)
            throw new ArgumentOutOfRangeException(nameof(contextCharacters), contextCharacters, "A passage needs at least 20 characters to give the model something to read.");

        var candidates = new List<(int Start, int WordStart, string Word)>();
        foreach (Match word in Word().Matches(text))
        {
            if (word.Length < minWordLength || word.Index < contextCharacters || text[word.Index - 1] != ' ')
                continue;
            var start = word.Index - contextCharacters;
            while (start < word.Index && text[start] != ' ' && text[start] != '\n')
                start++; // begin at a word
            var length = word.Index - 1 - (start + 1);
            if (length < contextCharacters / 2)
                continue;
            var passage = text.AsSpan(start + 1, length);
            if (requireEarlierMention && !ContainsWord(passage, word.Value))
                continue;
            candidates.Add((start + 1, word.Index, word.Value));
        }

        // A seeded shuffle, then greedy picks that do not overlap earlier picks.
        var random = new SeededRandom(seed);
        for (var i = candidates.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextLong(i + 1);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        var chosen = new List<(int Start, int WordStart, string Word)>();
        foreach (var candidate in candidates)
        {
            if (chosen.Any(c => candidate.Start <= c.WordStart + c.Word.Length && c.Start <= candidate.WordStart + candidate.Word.Length))
                continue;
            chosen.Add(candidate);
            if (chosen.Count == count)
                break;
        }
        if (chosen.Count < count)
            throw new ArgumentException(
                $"The text ({text.Length:N0} characters) has only {chosen.Count} non-overlapping points that fit (words of {minWordLength}+ letters" +
                $"{(requireEarlierMention ? " mentioned earlier in the passage" : "")}); {count} were asked for. Use a longer text, fewer items or shorter passages.", nameof(text));
        return chosen.OrderBy(c => c.WordStart)
            .Select(c => new TaskItem($"{idPrefix}-{c.WordStart}", text[c.Start..(c.WordStart - 1)], c.Word))
            .ToList();
    }

    private static bool ContainsWord(ReadOnlySpan<char> passage, string word)
    {
        for (var at = passage.IndexOf(word, StringComparison.Ordinal); at >= 0; at = Next(passage, word, at))
        {
            var before = at == 0 || !char.IsLetter(passage[at - 1]);
            var after = at + word.Length == passage.Length || !char.IsLetter(passage[at + word.Length]);
            if (before && after)
                return true;
        }
        return false;

        static int Next(ReadOnlySpan<char> passage, string word, int at)
        {
            var rest = passage[(at + 1)..].IndexOf(word, StringComparison.Ordinal);
            return rest < 0 ? -1 : at + 1 + rest;
        }
    }

    [GeneratedRegex("[A-Za-z]+")]
    private static partial Regex Word();
}
