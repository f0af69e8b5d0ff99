using System.Text;

namespace LlmCourse.Tokenization;

/// <summary>
/// One id per character (Unicode code point), the simplest tokenizer: the vocabulary is the distinct characters of
/// some text, sorted by code point. Austen needs only ~80. A character the vocabulary lacks is an error, unless you
/// ask for an unknown token, in which case it becomes that token's id; it is never silently given another id.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    private readonly Dictionary<int, int> idByCodePoint;
    private readonly string[] pieceById;
    private readonly SpecialTokenSet specials;
    private readonly int? unknownId;

    private CharTokenizer(string[] characters, IReadOnlyList<string> specialSpellings, string? unknownToken)
    {
        Characters = characters;
        idByCodePoint = characters.Select((c, i) => (c, i)).ToDictionary(x => char.ConvertToUtf32(x.c, 0), x => x.i);
        var all = specialSpellings.Concat(unknownToken is null ? [] : [unknownToken]).ToList();
        var duplicate = all.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Special token {duplicate.Key} is listed twice.", nameof(specialSpellings));
        specials = new SpecialTokenSet(all.Select((s, i) => (s, Id: characters.Length + i)).ToDictionary(x => x.s, x => x.Id));
        if (unknownToken is not null)
            unknownId = specials.Ids[unknownToken];
        pieceById = [.. characters, .. all];
        UnknownToken = unknownToken;
    }

    /// <summary>
    /// Builds the vocabulary from the characters of <paramref name="text"/>.
    /// </summary>
    /// <param name="text">Text whose distinct characters become the vocabulary.</param>
    /// <param name="unknownToken">If given (e.g. "&lt;unk&gt;"), an extra token that stands for any character not in the vocabulary; if null, such a character is an error.</param>
    /// <param name="specials">Special tokens, given ids after the characters (the unknown token comes last).</param>
    /// <exception cref="ArgumentException">The text holds a lone surrogate (not a character), or a special token is repeated or empty.</exception>
    public static CharTokenizer FromText(string text, string? unknownToken = null, IReadOnlyList<string>? specials = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new SortedSet<int>();
        for (var i = 0; i < text.Length;)
        {
            var scalar = ReadCodePoint(text, i) ?? throw new ArgumentException(
                $"The text holds a lone surrogate U+{(int)text[i]:X4} at position {i}: half of a character, which cannot be in a vocabulary. " +
                "Clean the text (e.g. replace it with U+FFFD) before building the vocabulary.", nameof(text));
            seen.Add(scalar);
            i += scalar >= 0x10000 ? 2 : 1;
        }
        return new CharTokenizer(seen.Select(char.ConvertFromUtf32).ToArray(), specials ?? [], unknownToken);
    }

    /// <inheritdoc />
    public string Name => $"char-{VocabularySize}";

    /// <inheritdoc />
    public int VocabularySize => pieceById.Length;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens => specials.Ids;

    /// <summary>The characters, by id.</summary>
    public IReadOnlyList<string> Characters { get; }

    /// <summary>The unknown token's spelling, or null when unknown characters are errors.</summary>
    public string? UnknownToken { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A character is not in the vocabulary and there is no unknown token; the message names it.</exception>
    public int[] Encode(string text, SpecialTokenPolicy specialPolicy = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        specials.Split(text, specialPolicy, Name, (start, length) => EncodeOrdinary(text, start, start + length, ids), ids.Add);
        return ids.ToArray();
    }

    private void EncodeOrdinary(string text, int start, int end, List<int> ids)
    {
        for (var i = start; i < end;)
        {
            var scalar = ReadCodePoint(text, i);
            if (scalar is { } s && idByCodePoint.TryGetValue(s, out var id))
                ids.Add(id);
            else if (unknownId is { } unknown)
                ids.Add(unknown);
            else
                throw new ArgumentException(
                    $"Character {Describe(text, i)} at position {i} is not in the vocabulary of '{Name}'. " +
                    "Build the tokenizer from text that contains it, or pass unknownToken: \"<unk>\" to map unseen characters to one id.", nameof(text));
            i += scalar >= 0x10000 ? 2 : 1;
        }
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        foreach (var id in ids)
            sb.Append(Piece(id));
        return sb.ToString();
    }

    /// <inheritdoc />
    public string Piece(int id)
    {
        TokenizerErrors.CheckId(id, VocabularySize, Name);
        return pieceById[id];
    }

    /// <summary>The code point at position i, or null for a lone surrogate.</summary>
    private static int? ReadCodePoint(string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            return char.ConvertToUtf32(c, text[i + 1]);
        return char.IsSurrogate(c) ? null : c;
    }

    private static string Describe(string text, int i)
    {
        var scalar = ReadCodePoint(text, i);
        return scalar is { } s ? $"'{char.ConvertFromUtf32(s)}' (U+{s:X4})" : $"U+{(int)text[i]:X4} (a lone surrogate)";
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Characters.Count} characters, {SpecialTokens.Count} special";
}
