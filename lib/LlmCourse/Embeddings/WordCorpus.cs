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
        var tokens = Split(text).ToList();
        var kept = tokens.GroupBy(w => w).Select(g => (Word: g.Key, Count: (long)g.Count()))
            .Where(x => x.Count >= minCount)
            .OrderByDescending(x => x.Count).ThenBy(x => x.Word, StringComparer.Ordinal)
            .Take(maxVocabulary).ToArray();
        if (kept.Length < 2)
            throw new ArgumentException(
                $"Only {kept.Length} word(s) occur at least {minCount} times in the {tokens.Count:N0}-word text. Use more text or a lower minimum count.", nameof(text));
        var idOf = kept.Select((x, i) => (x.Word, i)).ToDictionary(x => x.Word, x => x.i, StringComparer.Ordinal);
        var ids = tokens.Where(idOf.ContainsKey).Select(w => idOf[w]).ToArray();
        return new WordCorpus(kept.Select(x => x.Word).ToArray(), kept.Select(x => x.Count).ToArray(), ids);
    }
}
