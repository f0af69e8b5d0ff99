namespace LlmCourse.Tokenization;

/// <summary>
/// The simplest tokenizer: every distinct character of a text is one token, numbered in ordinal order
/// (so newline is 0 and space is 1 in an English text). Encoding is a table lookup; nothing is ever merged.
/// </summary>
public sealed class CharVocabulary
{
    private readonly char[] chars;
    private readonly Dictionary<char, int> ids;

    private CharVocabulary(char[] chars)
    {
        this.chars = chars;
        ids = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    /// <summary>The vocabulary of every character that occurs in <paramref name="text"/>, sorted by code point.</summary>
    /// <exception cref="ArgumentException">The text is empty.</exception>
    public static CharVocabulary FromText(string text)
    {
        if (string.IsNullOrEmpty(text))
            throw new ArgumentException("Cannot build a vocabulary from an empty text: pass the corpus (e.g. Corpus.Austen.Text).", nameof(text));
        var distinct = text.Distinct().ToArray();
        Array.Sort(distinct);
        return new CharVocabulary(distinct);
    }

    /// <summary>Number of tokens, V.</summary>
    public int Size => chars.Length;

    /// <summary>The characters, in id order.</summary>
    public IReadOnlyList<char> Chars => chars;

    /// <summary>The character whose id is <paramref name="id"/>.</summary>
    public char this[int id] => chars[id];

    /// <summary>The id of <paramref name="c"/>.</summary>
    /// <exception cref="KeyNotFoundException">The character is not in the vocabulary.</exception>
    public int Id(char c) => ids.TryGetValue(c, out var id)
        ? id
        : throw new KeyNotFoundException(
            $"The character '{c}' (U+{(int)c:X4}) is not in the vocabulary of {Size} characters: build the vocabulary " +
            "from a text that contains it, or remove it from your prompt.");

    /// <summary>Turns text into token ids.</summary>
    /// <exception cref="KeyNotFoundException">A character is not in the vocabulary.</exception>
    public int[] Encode(string text)
    {
        var result = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
            result[i] = Id(text[i]);
        return result;
    }

    /// <summary>Turns token ids back into text.</summary>
    public string Decode(IEnumerable<int> tokenIds) => new(tokenIds.Select(id => chars[id]).ToArray());
}
