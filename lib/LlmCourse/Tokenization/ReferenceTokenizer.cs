using Microsoft.ML.Tokenizers;

namespace LlmCourse.Tokenization;

/// <summary>
/// Microsoft.ML.Tokenizers' Tiktoken encoders behind the course's <see cref="ITokenizer"/>: the real tokenizers of
/// GPT-2 (50,257 ids), GPT-3.5/GPT-4 (cl100k_base, ~100k) and GPT-4o (o200k_base, ~200k), for comparison.
/// </summary>
public sealed class ReferenceTokenizer : ITokenizer
{
    private static readonly Dictionary<string, string> ModelByEncoding = new()
    {
        ["gpt2"] = "gpt2",
        ["cl100k_base"] = "gpt-4",
        ["o200k_base"] = "gpt-4o",
    };
    private static readonly Dictionary<string, Lazy<ReferenceTokenizer>> Instances =
        ModelByEncoding.Keys.ToDictionary(e => e, e => new Lazy<ReferenceTokenizer>(() => new ReferenceTokenizer(e)));

    private readonly TiktokenTokenizer inner;
    private readonly SpecialTokenSet specials;
    private readonly Lazy<byte[][]> ranks;
    private readonly Lazy<int> vocabularySize;

    private ReferenceTokenizer(string encoding)
    {
        Name = encoding;
        inner = TiktokenTokenizer.CreateForModel(ModelByEncoding[encoding]);
        specials = new SpecialTokenSet(inner.SpecialTokens ?? new Dictionary<string, int>());
        ranks = new Lazy<byte[][]>(() => TiktokenRanks.Load(encoding));
        vocabularySize = new Lazy<int>(() => Math.Max(ranks.Value.Length, specials.Ids.Values.DefaultIfEmpty(-1).Max() + 1));
    }

    /// <summary>GPT-2's tokenizer as Microsoft.ML.Tokenizers implements it (the reference our <see cref="BytePairTokenizer.Gpt2"/> must match).</summary>
    public static ReferenceTokenizer Gpt2 => Instances["gpt2"].Value;

    /// <summary>cl100k_base: GPT-3.5 and GPT-4's tokenizer.</summary>
    public static ReferenceTokenizer Cl100kBase => Instances["cl100k_base"].Value;

    /// <summary>o200k_base: GPT-4o's tokenizer.</summary>
    public static ReferenceTokenizer O200kBase => Instances["o200k_base"].Value;

    /// <summary>The wrapped Microsoft tokenizer, for its own API (offsets, counting, ...).</summary>
    public TiktokenTokenizer Inner => inner;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int VocabularySize => vocabularySize.Value;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens => specials.Ids;

    /// <inheritdoc />
    /// <exception cref="NotSupportedException"><see cref="SpecialTokenPolicy.AsText"/>: Microsoft's encoder always recognises special tokens.</exception>
    public int[] Encode(string text, SpecialTokenPolicy specialPolicy = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (specialPolicy)
        {
            case SpecialTokenPolicy.AsText:
                throw new NotSupportedException(
                    $"'{Name}' (Microsoft.ML.Tokenizers) always turns special-token spellings into special ids. " +
                    "Use Allow or Reject, or our BytePairTokenizer.Gpt2() which supports AsText.");
            case SpecialTokenPolicy.Reject:
                specials.Split(text, SpecialTokenPolicy.Reject, Name, (_, _) => { }, _ => { });
                break;
        }
        return inner.EncodeToIds(text).ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids)
    {
        var list = ids.ToList();
        foreach (var id in list)
            TokenizerErrors.CheckId(id, VocabularySize, Name);
        return inner.Decode(list);
    }

    /// <inheritdoc />
    public string Piece(int id)
    {
        TokenizerErrors.CheckId(id, VocabularySize, Name);
        if (id < ranks.Value.Length)
            return BytePairTokenizer.DescribeBytes(ranks.Value[id]);
        return specials.Ids.FirstOrDefault(kv => kv.Value == id).Key
            ?? throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is unused in '{Name}' (a gap before the special ids).");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (Microsoft.ML.Tokenizers): {VocabularySize} ids";
}
