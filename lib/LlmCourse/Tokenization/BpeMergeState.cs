namespace LlmCourse.Tokenization;

/// <summary>
/// The working state of <see cref="BpeTrainer"/>: each distinct chunk as a list of token ids with its count, the
/// count of every adjacent pair, and for each pair the chunks it occurs in.
/// </summary>
internal sealed class MergeState
{
    private readonly int[][] words;       // token ids of each distinct chunk (prefix of length wordLength[w] is live)
    private readonly int[] wordLength;
    private readonly long[] wordCount;    // how often the chunk occurs in the text
    private readonly int[] wordStamp;     // last merge that visited the word (to visit each word once per merge)
    private readonly Dictionary<long, PairStats> pairs = new();
    private readonly PriorityQueue<long, (long Count, long Pair)> queue = new(new MostFrequentFirst());
    private readonly Dictionary<string, int> idByBytes = new(StringComparer.Ordinal); // bytes as Latin-1 string → id

    public List<byte[]> TokenBytes { get; } = new();

    private sealed class PairStats
    {
        public long Count;
        public readonly List<int> Words = new();
    }

    /// <summary>Highest count first; on equal counts the smaller (left, right), which a packed pair key orders.</summary>
    private sealed class MostFrequentFirst : IComparer<(long Count, long Pair)>
    {
        public int Compare((long Count, long Pair) x, (long Count, long Pair) y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public MergeState(Dictionary<string, int> chunks)
    {
        for (var b = 0; b < 256; b++)
            AddToken([(byte)b]);
        words = new int[chunks.Count][];
        wordLength = new int[chunks.Count];
        wordCount = new long[chunks.Count];
        wordStamp = new int[chunks.Count];
        var w = 0;
        // Sorted so the order of words (and so of everything derived) does not depend on hashing.
        foreach (var (chunk, count) in chunks.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var bytes = TextBytes.FromText(chunk);
            words[w] = Array.ConvertAll(bytes, b => (int)b);
            wordLength[w] = bytes.Length;
            wordCount[w] = count;
            for (var i = 0; i + 1 < bytes.Length; i++)
                Add(Key(bytes[i], bytes[i + 1]), w, count);
            w++;
        }
        foreach (var (pair, stats) in pairs)
            queue.Enqueue(pair, (stats.Count, pair));
    }

    private int AddToken(byte[] bytes)
    {
        TokenBytes.Add(bytes);
        idByBytes.Add(Latin1(bytes), TokenBytes.Count - 1);
        return TokenBytes.Count - 1;
    }

    private static string Latin1(byte[] bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    private void Add(long pair, int word, long count)
    {
        if (!pairs.TryGetValue(pair, out var stats))
            pairs[pair] = stats = new PairStats();
        stats.Count += count;
        if (stats.Words.Count == 0 || stats.Words[^1] != word)
            stats.Words.Add(word);
    }

    private void Subtract(long pair, long count)
    {
        if (pairs.TryGetValue(pair, out var stats))
            stats.Count -= count;
    }

    /// <summary>Performs up to <paramref name="maxNewTokens"/> merges; returns the merges that made new tokens.</summary>
    public List<BpeMerge> Run(int maxNewTokens, int minPairCount)
    {
        var merges = new List<BpeMerge>();
        var stamp = 0;
        var grown = new HashSet<long>();
        while (merges.Count < maxNewTokens && queue.TryDequeue(out var pair, out var queued))
        {
            if (!pairs.TryGetValue(pair, out var stats))
                continue;
            if (stats.Count != queued.Count)
            {
                // Stale entry: the pair lost occurrences since it was queued. Put it back with its true count.
                if (stats.Count > 0)
                    queue.Enqueue(pair, (stats.Count, pair));
                continue;
            }
            if (stats.Count < minPairCount)
                break;

            var left = (int)(pair >> 32);
            var right = (int)pair;
            byte[] joined = [.. TokenBytes[left], .. TokenBytes[right]];
            var isNew = !idByBytes.TryGetValue(Latin1(joined), out var id);
            if (isNew)
            {
                id = AddToken(joined);
                merges.Add(new BpeMerge(left, right, id, stats.Count));
            }

            pairs.Remove(pair);
            stamp++;
            grown.Clear();
            foreach (var w in stats.Words)
            {
                if (wordStamp[w] == stamp)
                    continue;
                wordStamp[w] = stamp;
                MergeInWord(w, left, right, id, grown);
            }
            foreach (var g in grown)
            {
                if (pairs.TryGetValue(g, out var s) && s.Count > 0)
                    queue.Enqueue(g, (s.Count, g));
            }
        }
        return merges;
    }

    /// <summary>Replaces each (left, right) in word w by <paramref name="merged"/>, left to right, fixing neighbour pairs.</summary>
    private void MergeInWord(int w, int left, int right, int merged, HashSet<long> grown)
    {
        var symbols = words[w];
        var length = wordLength[w];
        var count = wordCount[w];
        var write = 0;
        var read = 0;
        while (read < length)
        {
            if (read + 1 < length && symbols[read] == left && symbols[read + 1] == right)
            {
                // The pair itself was already removed from the table; fix the pairs on either side.
                if (write > 0)
                {
                    var before = symbols[write - 1];
                    Subtract(Key(before, left), count);
                    Add(Key(before, merged), w, count);
                    grown.Add(Key(before, merged));
                }
                if (read + 2 < length)
                {
                    var after = symbols[read + 2];
                    Subtract(Key(right, after), count);
                    Add(Key(merged, after), w, count);
                    grown.Add(Key(merged, after));
                }
                symbols[write++] = merged;
                read += 2;
            }
            else
            {
                symbols[write++] = symbols[read++];
            }
        }
        wordLength[w] = write;
    }
}
