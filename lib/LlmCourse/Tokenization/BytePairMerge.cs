using System.Runtime.CompilerServices;

namespace LlmCourse.Tokenization;

/// <summary>
/// The BPE encoding step for one chunk: start from single bytes and keep merging the adjacent pair whose joined
/// bytes have the LOWEST rank in the vocabulary (the earliest-learned merge), the leftmost one on a tie, until no
/// adjacent pair is a token. This is tiktoken's rule; it needs only "bytes → rank", not the list of merge pairs.
/// </summary>
internal static class BytePairMerge
{
    /// <summary>Above this many bytes the linear scan (quadratic) gives way to a heap (n log n).</summary>
    internal const int LinearLimit = 128;

    /// <summary>Appends the ids of <paramref name="bytes"/> (one chunk) to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> bytes, ByteSpanTable ranks, List<int> output)
    {
        if (bytes.Length == 0)
            return;
        if (ranks.TryGetValue(bytes, out var whole))
        {
            output.Add(whole);
            return;
        }
        if (bytes.Length <= LinearLimit)
            EncodeLinear(bytes, ranks, output);
        else
            EncodeWithHeap(bytes, ranks, output);
    }

    /// <summary>Short chunks: keep part boundaries in an array and scan it for the cheapest pair each round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void EncodeLinear(ReadOnlySpan<byte> bytes, ByteSpanTable ranks, List<int> output)
    {
        // starts[i] is where part i begins; pairRank[i] is the rank of part i joined with part i + 1.
        Span<int> starts = stackalloc int[LinearLimit + 1];
        Span<int> pairRank = stackalloc int[LinearLimit + 1];
        var parts = bytes.Length;
        for (var i = 0; i <= parts; i++)
            starts[i] = i;
        for (var i = 0; i < parts - 1; i++)
            pairRank[i] = RankOf(bytes, starts[i], starts[i + 2], ranks);

        while (parts > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < parts - 1; i++)
            {
                if (pairRank[i] < bestRank)
                {
                    bestRank = pairRank[i];
                    best = i;
                }
            }
            if (best < 0)
                break;
            // Remove boundary best + 1: parts best and best + 1 become one.
            starts[(best + 2)..(parts + 1)].CopyTo(starts[(best + 1)..]);
            pairRank[(best + 2)..parts].CopyTo(pairRank[(best + 1)..]);
            parts--;
            pairRank[best] = best + 1 < parts ? RankOf(bytes, starts[best], starts[best + 2], ranks) : int.MaxValue;
            if (best > 0)
                pairRank[best - 1] = RankOf(bytes, starts[best - 1], starts[best + 1], ranks);
        }

        for (var i = 0; i < parts; i++)
            output.Add(IdOf(bytes, starts[i], starts[i + 1], ranks));
    }

    /// <summary>
    /// Long chunks (a page of dashes, a long run of spaces): parts form a linked list and candidate pairs sit in a
    /// priority queue ordered by (rank, position). An entry whose pair changed since it was queued is skipped.
    /// </summary>
    internal static void EncodeWithHeap(ReadOnlySpan<byte> bytes, ByteSpanTable ranks, List<int> output)
    {
        var n = bytes.Length;
        var end = new int[n];       // end[p]: where the part starting at p ends (only meaningful for live parts)
        var prev = new int[n];      // prev[p]: start of the part before p, or -1
        var rankAt = new int[n];    // rank of (part at p) + (next part), int.MaxValue if none
        var queue = new PriorityQueue<int, long>(n);
        for (var p = 0; p < n; p++)
        {
            end[p] = p + 1;
            prev[p] = p - 1;
            rankAt[p] = p + 2 <= n ? RankOf(bytes, p, p + 2, ranks) : int.MaxValue;
            if (rankAt[p] != int.MaxValue)
                queue.Enqueue(p, Priority(rankAt[p], p));
        }

        while (queue.TryDequeue(out var p, out var priority))
        {
            // Stale if the pair at p has changed (a rank names exactly one byte string, so equal rank = same pair).
            if ((int)(priority >> 32) != rankAt[p])
                continue;
            var q = end[p];
            end[p] = end[q];
            rankAt[q] = int.MaxValue;
            if (end[p] < n)
                prev[end[p]] = p;
            rankAt[p] = end[p] < n ? RankOf(bytes, p, end[end[p]], ranks) : int.MaxValue;
            if (rankAt[p] != int.MaxValue)
                queue.Enqueue(p, Priority(rankAt[p], p));
            var before = prev[p];
            if (before >= 0)
            {
                rankAt[before] = RankOf(bytes, before, end[p], ranks);
                if (rankAt[before] != int.MaxValue)
                    queue.Enqueue(before, Priority(rankAt[before], before));
            }
        }

        for (var p = 0; p < n; p = end[p])
            output.Add(IdOf(bytes, p, end[p], ranks));
    }

    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;

    private static int RankOf(ReadOnlySpan<byte> bytes, int from, int to, ByteSpanTable ranks) =>
        ranks.TryGetValue(bytes[from..to], out var rank) ? rank : int.MaxValue;

    private static int IdOf(ReadOnlySpan<byte> bytes, int from, int to, ByteSpanTable ranks) =>
        ranks.TryGetValue(bytes[from..to], out var id)
            ? id
            : throw new InvalidOperationException(
                $"Byte {bytes[from]:X2} has no token: a byte-level vocabulary must contain all 256 single bytes.");
}
