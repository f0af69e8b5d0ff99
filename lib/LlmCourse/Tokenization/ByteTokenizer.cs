namespace LlmCourse.Tokenization;

/// <summary>
/// One id per byte: ids 0–255 are the byte values, special tokens follow. Nothing is ever unknown, any text or
/// file can be encoded, but English text costs one id per letter and a Chinese character three.
/// BPE starts from exactly this vocabulary.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    private readonly SpecialTokenSet specials;
    private readonly Dictionary<int, string> specialById;

    /// <summary>A byte tokenizer with the given special tokens (ids 256, 257, ...); none by default.</summary>
    public ByteTokenizer(IReadOnlyList<string>? specialSpellings = null)
    {
        var list = specialSpellings ?? [];
        if (list.Distinct().Count() != list.Count)
            throw new ArgumentException("A special token is listed twice.", nameof(specialSpellings));
        specials = new SpecialTokenSet(list.Select((s, i) => (s, Id: 256 + i)).ToDictionary(x => x.s, x => x.Id));
        specialById = specials.Ids.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    /// <inheritdoc />
    public string Name => "bytes";

    /// <inheritdoc />
    public int VocabularySize => 256 + specialById.Count;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens => specials.Ids;

    /// <inheritdoc />
    public int[] Encode(string text, SpecialTokenPolicy specialPolicy = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        specials.Split(text, specialPolicy, Name,
            (start, length) =>
            {
                foreach (var b in TextBytes.FromText(text.AsSpan(start, length)))
                    ids.Add(b);
            },
            ids.Add);
        return ids.ToArray();
    }

    /// <summary>Raw bytes → ids (the identity, widened to int): any byte sequence, valid UTF-8 or not.</summary>
    public static int[] EncodeBytes(ReadOnlySpan<byte> bytes)
    {
        var ids = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            ids[i] = bytes[i];
        return ids;
    }

    /// <summary>Ids → bytes; a special token becomes the UTF-8 of its spelling.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public byte[] DecodeBytes(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            TokenizerErrors.CheckId(id, VocabularySize, Name);
            if (id < 256)
                bytes.Add((byte)id);
            else
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(specialById[id]));
        }
        return bytes.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids) => TextBytes.ToText(DecodeBytes(ids));

    /// <inheritdoc />
    public string Piece(int id) => BytePairTokenizer.DescribeBytes(DecodeBytes([id]));
}
