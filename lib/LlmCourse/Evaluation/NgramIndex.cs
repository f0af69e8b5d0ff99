namespace LlmCourse.Evaluation;

/// <summary>
/// Every word n-gram of a corpus, hashed once into a set, so that any text can be asked "how many of your n-grams
/// appear in the corpus?" in time proportional to the text. The basis of <see cref="Contamination"/>.
/// </summary>
/// <remarks>
/// Words are runs of letters and digits, lower-cased ("Bennet's" → "bennet", "s"), so punctuation, case and line
/// breaks do not hide a copy. Each n-gram is stored as a 64-bit hash: two different n-grams share one with chance
/// about 1 in 10^13 for a corpus of Austen's size, far below anything an eval can notice.
/// </remarks>
public sealed class NgramIndex
{
    private readonly HashSet<ulong> hashes;

    private NgramIndex(int n, HashSet<ulong> hashes, long corpusWords)
    {
        N = n;
        this.hashes = hashes;
        CorpusWords = corpusWords;
    }

    /// <summary>Words per n-gram.</summary>
    public int N { get; }

    /// <summary>Distinct n-grams in the corpus.</summary>
    public int Count => hashes.Count;

    /// <summary>Words in the corpus.</summary>
    public long CorpusWords { get; }

    /// <summary>Hashes every <paramref name="n"/>-gram of <paramref name="corpus"/>.</summary>
    /// <param name="corpus">The training text, e.g. <c>Corpus.Austen.Train</c>.</param>
    /// <param name="n">Words per n-gram. Small n (3–5) flags common phrases ("I do not know") as copies; large n (13, as
    /// GPT-3's report used) misses short items entirely. 8 suits sentence-long items.</param>
    /// <exception cref="ArgumentOutOfRangeException">n below 1.</exception>
    public static NgramIndex Build(string corpus, int n = 8)
    {
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), n, "An n-gram needs at least one word; 8 is a good start for sentence-long items.");
        var words = WordHashes(corpus);
        var set = new HashSet<ulong>(Math.Max(0, words.Count - n + 1));
        foreach (var hash in NgramHashes(words, n))
            set.Add(hash);
        return new NgramIndex(n, set, words.Count);
    }

    /// <summary>How many n-grams <paramref name="text"/> has, and how many of them appear in the corpus.</summary>
    public (int Ngrams, int Seen) Overlap(string text)
    {
        var words = WordHashes(text);
        int total = 0, seen = 0;
        foreach (var hash in NgramHashes(words, N))
        {
            total++;
            if (hashes.Contains(hash))
                seen++;
        }
        return (total, seen);
    }

    /// <summary>The words of a text as the index sees them: lower-cased runs of letters and digits (<see cref="Data.TextWords"/>).</summary>
    public static IReadOnlyList<string> Words(string text) => Data.TextWords.Split(text);

    private static List<ulong> WordHashes(string text) => Words(text).Select(Fnv1a).ToList();

    /// <summary>Polynomial hash of each window of n word hashes (order matters: "the man bit the dog" ≠ "the dog bit the man").</summary>
    private static IEnumerable<ulong> NgramHashes(List<ulong> words, int n)
    {
        const ulong multiplier = 0x100000001B3UL * 31 + 7;
        for (var start = 0; start + n <= words.Count; start++)
        {
            ulong hash = 14695981039346656037UL;
            for (var k = 0; k < n; k++)
                hash = unchecked((hash ^ words[start + k]) * multiplier + (ulong)k);
            yield return hash;
        }
    }

    private static ulong Fnv1a(string word)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in word)
            hash = unchecked((hash ^ c) * 1099511628211UL);
        return hash;
    }
}
