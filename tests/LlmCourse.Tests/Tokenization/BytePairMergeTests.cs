using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class BytePairMergeTests
{
    /// <summary>A vocabulary over the bytes 'a'..'d' plus random multi-byte tokens, with shuffled ranks.</summary>
    private static (ByteSpanTable Table, Dictionary<string, int> Ranks) RandomVocabulary(Random random)
    {
        var ranks = new Dictionary<string, int>();
        var table = new ByteSpanTable();
        var order = Enumerable.Range(0, 256).OrderBy(_ => random.Next()).ToArray();
        for (var b = 0; b < 256; b++)
        {
            ranks[((char)b).ToString()] = order[b];
            table.TryAdd([(byte)b], order[b]);
        }
        var next = 256;
        while (next < 400)
        {
            var length = random.Next(2, 6);
            var token = new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(4))).ToArray());
            if (ranks.TryAdd(token, next))
                table.TryAdd(token.Select(c => (byte)c).ToArray(), next++);
        }
        return (table, ranks);
    }

    /// <summary>The rule written as plainly as possible: merge the lowest-ranked adjacent pair, leftmost first.</summary>
    private static List<int> Reference(string text, Dictionary<string, int> ranks)
    {
        var parts = text.Select(c => c.ToString()).ToList();
        while (true)
        {
            var best = -1;
            for (var i = 0; i + 1 < parts.Count; i++)
            {
                if (ranks.TryGetValue(parts[i] + parts[i + 1], out var r) && (best < 0 || r < ranks[parts[best] + parts[best + 1]]))
                    best = i;
            }
            if (best < 0)
                return parts.Select(p => ranks[p]).ToList();
            parts[best] += parts[best + 1];
            parts.RemoveAt(best + 1);
        }
    }

    [Fact]
    public void Linear_and_heap_versions_agree_with_the_plain_rule()
    {
        var random = new Random(4);
        for (var round = 0; round < 40; round++)
        {
            var (table, ranks) = RandomVocabulary(random);
            for (var i = 0; i < 25; i++)
            {
                var text = new string(Enumerable.Range(0, random.Next(1, 300)).Select(_ => (char)('a' + random.Next(4))).ToArray());
                var bytes = text.Select(c => (byte)c).ToArray();
                var expected = Reference(text, ranks);
                var heap = new List<int>();
                BytePairMerge.EncodeWithHeap(bytes, table, heap);
                Assert.Equal(expected, heap);
                if (bytes.Length <= BytePairMerge.LinearLimit)
                {
                    var linear = new List<int>();
                    BytePairMerge.EncodeLinear(bytes, table, linear);
                    Assert.Equal(expected, linear);
                }
            }
        }
    }

    [Fact]
    public void Equal_ranks_merge_the_leftmost_pair_first()
    {
        // "aaa" with only "aa" known: the first two merge, the last 'a' stays alone.
        var table = new ByteSpanTable();
        for (var b = 0; b < 256; b++)
            table.TryAdd([(byte)b], b);
        table.TryAdd("aa"u8, 300);
        var ids = new List<int>();
        BytePairMerge.Encode("aaa"u8, table, ids);
        Assert.Equal([300, 'a'], ids);
    }
}
