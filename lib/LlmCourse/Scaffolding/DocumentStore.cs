namespace LlmCourse.Scaffolding;

/// <summary>
/// A tiny search engine over passages, with no model and no dependency: BM25, the ranking function classic search
/// engines used before embeddings. A query word scores a passage by how often it appears there (with diminishing
/// returns, <see cref="K1"/>), how rare it is across the store (inverse document frequency: "the" counts for nothing,
/// "Pemberley" for a lot), and how short the passage is (<see cref="B"/>: a word in a one-line passage says more than
/// the same word in a long chapter).
/// </summary>
/// <remarks>
/// This is the "R" of retrieval-augmented generation: the store finds the passage, the caller puts it into the prompt.
/// Words are lower-cased runs of letters and digits, so "Darcy's" matches "darcy" and "s"; there is no stemming,
/// so "lives" does not match "live". Search is exhaustive over every passage: fine for thousands, not for millions.
/// </remarks>
public sealed class DocumentStore
{
    private readonly List<Passage> passages = [];
    private readonly List<Dictionary<string, int>> termCounts = [];
    private readonly List<int> lengths = [];
    private readonly Dictionary<string, int> documentFrequency = [];
    private readonly HashSet<string> ids = [];

    /// <summary>Term-frequency saturation: how quickly repeats of a word stop adding score (1.2 is the textbook value).</summary>
    public double K1 { get; }

    /// <summary>Length normalisation: 0 ignores passage length, 1 normalises fully (0.75 is the textbook value).</summary>
    public double B { get; }

    /// <summary>Creates a store and adds <paramref name="passages"/>.</summary>
    /// <exception cref="ArgumentException">Two passages share an id, a passage is empty, or K1/B are out of range.</exception>
    public DocumentStore(IEnumerable<Passage> passages, double k1 = 1.2, double b = 0.75)
    {
        if (!(k1 >= 0) || !(b >= 0 && b <= 1))
            throw new ArgumentException($"BM25 needs k1 >= 0 and 0 <= b <= 1 (got k1 = {k1}, b = {b}); the usual values are k1 = 1.2, b = 0.75.");
        K1 = k1;
        B = b;
        foreach (var passage in passages)
            Add(passage);
    }

    /// <summary>The passages, in the order they were added.</summary>
    public IReadOnlyList<Passage> Passages => passages;

    /// <summary>Number of passages.</summary>
    public int Count => passages.Count;

    /// <summary>Adds one passage.</summary>
    /// <exception cref="ArgumentException">Its id is already in the store, or it has no words.</exception>
    public void Add(Passage passage)
    {
        ArgumentNullException.ThrowIfNull(passage);
        if (!ids.Add(passage.Id))
            throw new ArgumentException($"The store already holds a passage with id '{passage.Id}': give every passage its own id.", nameof(passage));
        var words = Words(passage.Text);
        if (words.Count == 0)
        {
            ids.Remove(passage.Id);
            throw new ArgumentException($"Passage '{passage.Id}' has no words (letters or digits), so no query could ever find it: leave it out.", nameof(passage));
        }
        var counts = new Dictionary<string, int>();
        foreach (var word in words)
            counts[word] = counts.GetValueOrDefault(word) + 1;
        foreach (var word in counts.Keys)
            documentFrequency[word] = documentFrequency.GetValueOrDefault(word) + 1;
        passages.Add(passage);
        termCounts.Add(counts);
        lengths.Add(words.Count);
    }

    /// <summary>
    /// The <paramref name="top"/> passages that score highest for <paramref name="query"/>, best first. Passages that
    /// share no word with the query are never returned, so the list can be shorter than <paramref name="top"/>, or
    /// empty. Ties keep the order the passages were added in.
    /// </summary>
    /// <exception cref="ArgumentException">The store is empty, or <paramref name="top"/> &lt; 1.</exception>
    public IReadOnlyList<SearchHit> Search(string query, int top = 3)
    {
        if (passages.Count == 0)
            throw new ArgumentException("The document store is empty: add passages before searching.");
        if (top < 1)
            throw new ArgumentOutOfRangeException(nameof(top), $"top = {top}: ask for at least 1 hit.");
        var queryWords = Words(query ?? "").Distinct().Where(documentFrequency.ContainsKey).ToList();
        var averageLength = lengths.Average();
        var scored = new List<(int Index, double Score)>();
        for (var i = 0; i < passages.Count; i++)
        {
            var score = 0.0;
            foreach (var word in queryWords)
            {
                if (!termCounts[i].TryGetValue(word, out var tf))
                    continue;
                var norm = K1 * (1 - B + B * lengths[i] / averageLength);
                score += Idf(word) * tf * (K1 + 1) / (tf + norm);
            }
            if (score > 0)
                scored.Add((i, score));
        }
        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(top)
            .Select((s, rank) => new SearchHit(passages[s.Index], s.Score, rank + 1)).ToList();
    }

    /// <summary>The best passage for <paramref name="query"/>, or null when no passage shares a word with it.</summary>
    public SearchHit? Best(string query) => Search(query, 1) is [var hit] ? hit : null;

    /// <summary>
    /// Inverse document frequency, the BM25 variant that stays positive: ln(1 + (N − n + 0.5) / (n + 0.5)) for a word
    /// found in n of N passages. A word in every passage still scores a little, never below zero.
    /// </summary>
    public double Idf(string word)
    {
        var n = documentFrequency.GetValueOrDefault(word.ToLowerInvariant());
        return Math.Log(1 + (passages.Count - n + 0.5) / (n + 0.5));
    }

    /// <summary>How the store cuts text into words: lower-cased runs of letters and digits.</summary>
    public static IReadOnlyList<string> Words(string text) => Data.TextWords.Split(text);
}
