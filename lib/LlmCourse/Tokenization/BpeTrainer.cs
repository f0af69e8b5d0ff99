using System.Runtime.InteropServices;

namespace LlmCourse.Tokenization;

/// <summary>
/// Learns a byte-level BPE vocabulary from text. Start with the 256 bytes; count every adjacent pair of tokens
/// inside every chunk; merge the most frequent pair into a new token; repeat until the vocabulary is full.
/// </summary>
/// <remarks>
/// Why it is fast:
/// <list type="bullet">
/// <item>Identical chunks are stored once with a count: " the" appears ~30,000 times in Austen but is one entry.</item>
/// <item>Pair counts are updated incrementally: a merge of (a, b) only visits the chunks that contain (a, b) (each
/// pair remembers them) and adjusts the counts of the pairs around each occurrence. Nothing is recounted.</item>
/// <item>The most frequent pair comes from a priority queue; entries whose count has since changed are re-queued
/// when they surface (lazy deletion).</item>
/// </list>
/// Ties: among pairs with the same count, the one with the smaller left id wins, then the smaller right id, so two
/// trainings on the same text give the same merges. If a merge makes bytes an earlier token already has (a+bc after
/// ab+c), the chunks are merged into that token and no id is spent. Special tokens in the training text are removed
/// before counting, so no merge ever crosses or builds one.
/// </remarks>
public static class BpeTrainer
{
    /// <summary>Trains a tokenizer on <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The options are impossible (vocabulary smaller than 256 bytes + specials, bad special tokens).</exception>
    public static BytePairTokenizer Train(string text, BpeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        var specialList = options.SpecialTokenList;
        ValidateSpecials(specialList);
        var targetOrdinary = options.VocabularySize - specialList.Count;
        if (targetOrdinary < 256)
            throw new ArgumentException(
                $"VocabularySize {options.VocabularySize} leaves no room: the 256 byte tokens and {specialList.Count} special tokens need at least {256 + specialList.Count}.",
                nameof(options));
        if (options.MinPairCount < 1)
            throw new ArgumentException($"MinPairCount must be at least 1 (got {options.MinPairCount}).", nameof(options));

        var chunks = CountChunks(text, specialList);
        var state = new MergeState(chunks);
        var merges = state.Run(targetOrdinary - 256, options.MinPairCount);

        var ordinary = state.TokenBytes.Count;
        var specials = specialList.Select((s, i) => (s, Id: ordinary + i)).ToDictionary(x => x.s, x => x.Id);
        return new BytePairTokenizer($"bpe-{ordinary + specials.Count}", state.TokenBytes.ToArray(), specials, merges);
    }

    private static void ValidateSpecials(IReadOnlyList<string> specials)
    {
        foreach (var s in specials)
        {
            if (string.IsNullOrEmpty(s) || s.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new ArgumentException($"Special token '{s}' must be non-empty and on one line.", nameof(specials));
        }
        var duplicate = specials.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Special token {duplicate.Key} is listed twice.", nameof(specials));
    }

    /// <summary>
    /// The first step of training, exposed to look at: pre-tokenizes the text (special tokens removed) and counts each
    /// distinct chunk, e.g. " the" → 25,000. Training works on this table, not on the text.
    /// </summary>
    /// <param name="text">Training text.</param>
    /// <param name="specialList">Special tokens to cut out first; null means <see cref="Specials.Course"/>.</param>
    public static Dictionary<string, int> CountChunks(string text, IReadOnlyList<string>? specialList = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        specialList ??= Specials.Course;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        var specials = new SpecialTokenSet(specialList.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i));
        specials.Split(text, SpecialTokenPolicy.Allow, "trainer",
            ordinary: (start, length) =>
            {
                var segment = text.AsSpan(start, length);
                foreach (var m in Gpt2PreTokenizer.Ranges(segment))
                    CollectionsMarshal.GetValueRefOrAddDefault(lookup, segment.Slice(m.Index, m.Length), out _)++;
            },
            special: _ => { });
        return counts;
    }
}
