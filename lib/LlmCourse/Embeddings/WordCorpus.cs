using System.Text.RegularExpressions;

namespace LlmCourse.Embeddings;

/// <summary>
/// Text as a sequence of word ids for embedding training: lower-cased runs of letters (so "Mr." is "mr" and
/// "don't" is "don" + "t"), the most frequent words kept, the rest dropped.
/// </summary>
public sealed partial class WordCorpus
{
    [GeneratedRegex(@"\p{L}+", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    private WordCorpus(string[] words, long[] counts, int[] ids)
    {
        Words = words;
        Counts = counts;
        Ids = ids;
    }

    /// <summary>The kept words, most frequent first (ties alphabetical); a word's id is its index here.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>How often each kept word occurs, by id.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>The text as word ids, dropped words left out.</summary>
    public int[] Ids { get; }

    /// <summary>Lower-cases the text and splits it into words of letters.</summary>
    public static IEnumerable<string> Split(string text)
    {
        foreach (Match m in WordPattern().Matches(text.ToLowerInvariant()))
            yield return m.Value;
    }

    /// <summary>Builds the corpus, keeping words seen at least <paramref name="minCount"/> times, at most <paramref name="maxVocabulary"/> of them.</summary>
    /// <exception cref="ArgumentException">No word is frequent enough.</exception>
    public static WordCorpus Build(string text, int minCount, int maxVocabulary)
    {
        ArgumentNullException.ThrowIfNull(text);
        // One pass, no string per occurrence: each distinct word gets a first-seen index, the text becomes a list of them.
        var lower = text.ToLowerInvariant();
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = firstSeen.GetAlternateLookup<ReadOnlySpan<char>>();
        var counts = new List<long>();
        var sequence = new List<int>(lower.Length / 5);
        foreach (var m in WordPattern().EnumerateMatches(lower))
        {
            var word = lower.AsSpan(m.Index, m.Length);
            if (!lookup.TryGetValue(word, out var index))
            {
                index = counts.Count;
                lookup[word] = index;
                counts.Add(0);
            }
            counts[index]++;
            sequence.Add(index);
        }
        var kept = firstSeen.Where(kv => counts[kv.Value] >= minCount)
            .OrderByDescending(kv => counts[kv.Value]).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxVocabulary).ToArray();
        if (kept.Length < 2)
            throw new ArgumentException(
                $"Only {kept.Length} word(s) occur at least {minCount} times in the {sequence.Count:N0}-word text. Use more text or a lower minimum count.", nameof(text));
        var idOf = Enumerable.Repeat(-1, counts.Count).ToArray();
        for (var id = 0; id < kept.Length; id++)
            idOf[kept[id].Value] = id;
        var ids = sequence.Select(i => idOf[i]).Where(id => id >= 0).ToArray();
        return new WordCorpus(kept.Select(kv => kv.Key).ToArray(), kept.Select(kv => counts[kv.Value]).ToArray(), ids);
    }
}
