using System.Text;
using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class BpeTrainerTests
{
    private static readonly string[] NoSpecials = [];

    [Fact]
    public void Golden_first_merges_follow_hand_counted_pairs()
    {
        // One chunk, "aaabdaaabac". Pairs: aa 4, ab 2, bd 1, da 1, ba 1, ac 1 → merge a+a (count 4).
        // Then aa·a 2, a·b 2 tie: the smaller left id wins, 'a' (97) < "aa" (256) → merge a+b (count 2).
        // Then aa·ab 2 is the only pair left seen twice → "aaab". Every other pair occurs once: stop.
        var bpe = BpeTrainer.Train("aaabdaaabac", new BpeTrainingOptions(1000, NoSpecials));
        Assert.Equal(
            [new BpeMerge('a', 'a', 256, 4), new BpeMerge('a', 'b', 257, 2), new BpeMerge(256, 257, 258, 2)],
            bpe.Merges);
        Assert.Equal("aaab", bpe.Piece(258));
        Assert.Equal(259, bpe.VocabularySize);
    }

    [Fact]
    public void Merges_never_cross_chunk_boundaries()
    {
        // Chunks "ab", " ab", " ab": the pair b+space (twice in the raw string) is never counted.
        var bpe = BpeTrainer.Train("ab ab ab", new BpeTrainingOptions(1000, NoSpecials));
        Assert.Equal([new BpeMerge('a', 'b', 256, 3), new BpeMerge(' ', 256, 257, 2)], bpe.Merges);
    }

    [Fact]
    public void Merge_count_is_vocabulary_minus_bytes_minus_specials()
    {
        var text = Corpus(5, 20_000);
        var bpe = BpeTrainer.Train(text, new BpeTrainingOptions(400));
        Assert.Equal(400, bpe.VocabularySize);
        Assert.Equal(400 - 256 - Specials.Course.Count, bpe.Merges.Count);
        Assert.Equal(Enumerable.Range(256, bpe.Merges.Count), bpe.Merges.Select(m => m.Id));
        Assert.Equal(Enumerable.Range(400 - Specials.Course.Count, Specials.Course.Count), Specials.Course.Select(s => bpe.SpecialTokens[s]));
    }

    [Fact]
    public void Two_trainings_give_identical_merges()
    {
        var text = Corpus(6, 20_000);
        var first = BpeTrainer.Train(text, new BpeTrainingOptions(500));
        var second = BpeTrainer.Train(text, new BpeTrainingOptions(500));
        Assert.Equal(first.Merges, second.Merges);
    }

    [Fact]
    public void Incremental_counts_give_the_same_merges_as_recounting_everything()
    {
        // A small alphabet makes many ties and merges whose bytes already exist (a+bc after ab+c).
        var random = new Random(7);
        var words = Enumerable.Range(0, 40).Select(_ => new string(Enumerable.Range(0, random.Next(1, 7)).Select(_ => "abc"[random.Next(3)]).ToArray())).ToArray();
        var text = string.Join(" ", Enumerable.Range(0, 3000).Select(_ => words[random.Next(words.Length)]));
        var fast = BpeTrainer.Train(text, new BpeTrainingOptions(256 + 120, NoSpecials));
        var slow = RecountingTrainer(text, 120);
        Assert.Equal(slow, fast.Merges.Select(m => (m.Left, m.Right, m.Id, m.Count)).ToList());
    }

    [Fact]
    public void Special_tokens_are_never_learned_or_split()
    {
        var text = string.Concat(Enumerable.Repeat("<|endoftext|>the cat<|user|>", 500));
        var bpe = BpeTrainer.Train(text, new BpeTrainingOptions(300));
        // "<|" occurs 1000 times in the raw text, but special tokens are removed before counting.
        Assert.DoesNotContain(bpe.Merges, m => Encoding.UTF8.GetString(bpe.TokenBytes(m.Id)).Contains('|'));
        var ids = bpe.Encode("x<|endoftext|>y<|user|>");
        Assert.Equal(["x", Specials.EndOfText, "y", Specials.User], ids.Select(bpe.Piece));
    }

    [Fact]
    public void Cutting_the_vocabulary_equals_training_a_smaller_one()
    {
        var text = Corpus(8, 20_000);
        var big = BpeTrainer.Train(text, new BpeTrainingOptions(600));
        var small = BpeTrainer.Train(text, new BpeTrainingOptions(350));
        var cut = big.WithVocabularySize(350);
        Assert.Equal(small.Merges, cut.Merges);
        Assert.Equal(small.SpecialTokens, cut.SpecialTokens);
        Assert.Equal(small.Encode(text[..3000]), cut.Encode(text[..3000]));
    }

    [Fact]
    public void Training_stops_when_no_pair_repeats()
    {
        var bpe = BpeTrainer.Train("abcdef", new BpeTrainingOptions(1000, NoSpecials));
        Assert.Empty(bpe.Merges);
        Assert.Equal(256, bpe.VocabularySize);
    }

    [Fact]
    public void Impossible_options_are_refused_with_the_minimum()
    {
        var error = Assert.Throws<ArgumentException>(() => BpeTrainer.Train("abc", new BpeTrainingOptions(258)));
        Assert.Contains("261", error.Message); // 256 bytes + 5 course specials
        Assert.Throws<ArgumentException>(() => BpeTrainer.Train("abc", new BpeTrainingOptions(300, ["<a>", "<a>"])));
        Assert.Throws<ArgumentException>(() => BpeTrainer.Train("abc", new BpeTrainingOptions(300, ["two\nlines"])));
    }

    /// <summary>
    /// English-like text: Zipf-distributed words, some from a fixed list, most made of random syllables, so that a
    /// few hundred merges are available; with punctuation and newlines.
    /// </summary>
    internal static string Corpus(int seed, int words)
    {
        var random = new Random(seed);
        string[] common = ["the", "of", "and", "to", "her", "she", "he", "was", "in", "not", "be", "that", "Elizabeth", "Darcy",
            "Mr.", "Mrs.", "sister", "brother", "happiness", "unhappiness", "could", "would", "I'm", "don't", "Bennet", "1811"];
        string[] syllables = ["ba", "ne", "ti", "lo", "ru", "sa", "ke", "mi", "do", "pu", "ver", "ant", "ing", "ed", "ly", "st", "tr", "ch", "ou", "ea"];
        var lexicon = common.Concat(Enumerable.Range(0, 600).Select(_ =>
            string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => syllables[random.Next(syllables.Length)])))).ToArray();
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            var k = (int)(lexicon.Length * Math.Pow(random.NextDouble(), 3));
            sb.Append(lexicon[k]);
            sb.Append(random.Next(12) switch { 0 => ", ", 1 => ".\n", 2 => "; ", _ => " " });
        }
        return sb.ToString();
    }

    /// <summary>BPE training written the slow, obvious way: recount every pair of every chunk after each merge.</summary>
    private static List<(int, int, int, long)> RecountingTrainer(string text, int newTokens)
    {
        var chunks = Gpt2PreTokenizer.Split(text).GroupBy(c => c).Select(g => (Ids: Encoding.UTF8.GetBytes(g.Key).Select(b => (int)b).ToList(), Count: (long)g.Count())).ToList();
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        var merges = new List<(int, int, int, long)>();
        while (merges.Count < newTokens)
        {
            var counts = new Dictionary<(int, int), long>();
            foreach (var (ids, count) in chunks)
                for (var i = 0; i + 1 < ids.Count; i++)
                    counts[(ids[i], ids[i + 1])] = counts.GetValueOrDefault((ids[i], ids[i + 1])) + count;
            if (counts.Count == 0)
                break;
            var best = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2).First();
            if (best.Value < 2)
                break;
            var (left, right) = best.Key;
            byte[] joined = [.. tokens[left], .. tokens[right]];
            var id = tokens.FindIndex(t => t.AsSpan().SequenceEqual(joined));
            if (id < 0)
            {
                id = tokens.Count;
                tokens.Add(joined);
                merges.Add((left, right, id, best.Value));
            }
            foreach (var (ids, _) in chunks)
            {
                for (var i = 0; i + 1 < ids.Count; i++)
                {
                    if (ids[i] == left && ids[i + 1] == right)
                    {
                        ids[i] = id;
                        ids.RemoveAt(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
