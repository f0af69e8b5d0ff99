namespace LlmCourse.Embeddings;

/// <summary>A word and how close it is to the query, as the cosine of the angle between their vectors (1 = same direction).</summary>
/// <param name="Word">The word.</param>
/// <param name="Cosine">Cosine similarity with the query, from −1 to 1.</param>
public sealed record Neighbour(string Word, double Cosine);

/// <summary>
/// Words with one vector each: a map of meaning where direction matters and length does not. Answers "which words
/// point the same way as this one?" (<see cref="Nearest(string, int)"/>) and "what is to c as a is to b?"
/// (<see cref="Analogy"/>). Works on plain arrays, so it serves any embedding: skip-gram, a GPT's token table, ...
/// </summary>
public sealed class EmbeddingSpace
{
    private readonly Dictionary<string, int> indexOf;
    private readonly float[][] unit; // each vector scaled to length 1 (zero vectors stay zero)

    /// <summary>Creates a space from words and their vectors (same order, same length for all vectors).</summary>
    /// <exception cref="ArgumentException">Counts differ, a word repeats, or vectors have different lengths.</exception>
    public EmbeddingSpace(IReadOnlyList<string> words, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(vectors);
        if (words.Count != vectors.Count)
            throw new ArgumentException($"{words.Count} words but {vectors.Count} vectors: give one vector per word.", nameof(vectors));
        if (vectors.Count == 0)
            throw new ArgumentException("An embedding space needs at least one word.", nameof(words));
        Dimension = vectors[0].Length;
        var odd = vectors.Select((v, i) => (v, i)).FirstOrDefault(x => x.v.Length != Dimension);
        if (odd.v is not null)
            throw new ArgumentException($"Vector {odd.i} ('{words[odd.i]}') has {odd.v.Length} numbers, the first has {Dimension}: all must match.", nameof(vectors));
        indexOf = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            if (!indexOf.TryAdd(words[i], i))
                throw new ArgumentException($"Word '{words[i]}' appears twice; each word needs exactly one vector.", nameof(words));
        }
        Words = words.ToArray();
        Vectors = vectors.Select(v => (float[])v.Clone()).ToArray();
        unit = Vectors.Select(Normalize).ToArray();
    }

    /// <summary>The words, in the order given.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The vectors as given (copies), in word order.</summary>
    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>Numbers per vector.</summary>
    public int Dimension { get; }

    /// <summary>True if the word has a vector.</summary>
    public bool Contains(string word) => indexOf.ContainsKey(word);

    /// <summary>The vector of one word (a copy).</summary>
    /// <exception cref="ArgumentException">The word is not in the space; the message says how to find one that is.</exception>
    public float[] Vector(string word) => (float[])Vectors[IndexOf(word)].Clone();

    /// <summary>The cosine of the angle between two vectors: dot product over the product of lengths; 0 if either is all zeros.</summary>
    public static double Cosine(ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        if (u.Length != v.Length)
            throw new ArgumentException($"Vectors of different lengths ({u.Length} and {v.Length}) have no angle between them.");
        double dot = 0, uu = 0, vv = 0;
        for (var i = 0; i < u.Length; i++)
        {
            dot += (double)u[i] * v[i];
            uu += (double)u[i] * u[i];
            vv += (double)v[i] * v[i];
        }
        return uu == 0 || vv == 0 ? 0 : dot / Math.Sqrt(uu * vv);
    }

    /// <summary>Cosine similarity of two words.</summary>
    public double Similarity(string a, string b) => Cosine(unit[IndexOf(a)], unit[IndexOf(b)]);

    /// <summary>The <paramref name="count"/> words closest in direction to <paramref name="word"/>, itself excluded.</summary>
    public IReadOnlyList<Neighbour> Nearest(string word, int count = 10) => Nearest(unit[IndexOf(word)], count, [word]);

    /// <summary>The <paramref name="count"/> words closest in direction to a vector, best first, minus <paramref name="exclude"/>.</summary>
    public IReadOnlyList<Neighbour> Nearest(ReadOnlySpan<float> vector, int count = 10, IEnumerable<string>? exclude = null)
    {
        if (vector.Length != Dimension)
            throw new ArgumentException($"The query has {vector.Length} numbers; this space's vectors have {Dimension}.", nameof(vector));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var skip = new HashSet<string>(exclude ?? [], StringComparer.Ordinal);
        var query = Normalize(vector.ToArray());
        var scored = new List<Neighbour>(Words.Count);
        for (var i = 0; i < Words.Count; i++)
        {
            if (!skip.Contains(Words[i]))
                scored.Add(new Neighbour(Words[i], Dot(query, unit[i])));
        }
        // Ties by word, so the order never depends on anything but the vectors.
        return scored.OrderByDescending(n => n.Cosine).ThenBy(n => n.Word, StringComparer.Ordinal).Take(count).ToList();
    }

    /// <summary>
    /// "a is to b as ? is to c": the words nearest to <c>a − b + c</c> (each vector first scaled to length 1), with
    /// a, b and c themselves excluded, since the sum usually stays closest to a. Example: <c>Analogy("king", "man",
    /// "woman")</c> should give "queen"; in Austen, <c>Analogy("brother", "he", "she")</c> should give "sister".
    /// </summary>
    public IReadOnlyList<Neighbour> Analogy(string a, string b, string c, int count = 5)
    {
        var (va, vb, vc) = (unit[IndexOf(a)], unit[IndexOf(b)], unit[IndexOf(c)]);
        var target = new float[Dimension];
        for (var i = 0; i < Dimension; i++)
            target[i] = va[i] - vb[i] + vc[i];
        return Nearest(target, count, [a, b, c]);
    }

    private int IndexOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (indexOf.TryGetValue(word, out var i))
            return i;
        var lower = word.ToLowerInvariant();
        var hint = lower != word && indexOf.ContainsKey(lower) ? $" Did you mean '{lower}'?" : "";
        throw new ArgumentException(
            $"'{word}' is not in this embedding space ({Words.Count:N0} words, e.g. {string.Join(", ", Words.Take(5).Select(w => $"'{w}'"))}).{hint} " +
            "Check space.Contains(word) first, or train with a lower minimum count.", nameof(word));
    }

    private static float[] Normalize(float[] v)
    {
        double norm = 0;
        foreach (var x in v)
            norm += (double)x * x;
        if (norm == 0)
            return (float[])v.Clone();
        var scale = 1 / Math.Sqrt(norm);
        return v.Select(x => (float)(x * scale)).ToArray();
    }

    private static double Dot(float[] u, float[] v)
    {
        double sum = 0;
        for (var i = 0; i < u.Length; i++)
            sum += (double)u[i] * v[i];
        return sum;
    }
}
