using System.Text.RegularExpressions;

namespace LlmCourse.Tokenization;

/// <summary>
/// GPT-2's pre-tokenizer: the regular expression that cuts text into chunks before any merging, so a merge never
/// crosses from a word into the punctuation or space after it. Each chunk is a contraction ('s 't 're 've 'm 'll 'd),
/// an optional space plus letters, an optional space plus digits, an optional space plus other symbols, or whitespace
/// (a run of spaces gives all but its last space to the run, so the last one can lead the next word: "  x" → " ", " x").
/// </summary>
/// <remarks>
/// .NET regular expressions look at UTF-16 code units, not code points. A letter outside the Basic Multilingual
/// Plane (𝐀, many CJK extension characters) is a surrogate pair, so it counts as "other symbol", not as a letter.
/// Python's tiktoken would call it a letter. Microsoft.ML.Tokenizers behaves like this class, and this class is
/// what our GPT-2 parity is measured against.
/// </remarks>
public static partial class Gpt2PreTokenizer
{
    /// <summary>The pattern, exactly as GPT-2 published it.</summary>
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    internal static partial Regex Regex();

    /// <summary>Cuts text (no special tokens inside) into GPT-2's chunks: <c>"I'm here!"</c> → I, 'm, " here", !.</summary>
    public static IEnumerable<string> Split(string text)
    {
        foreach (Match m in Regex().Matches(text))
            yield return m.Value;
    }

    /// <summary>The chunks of a span as (start, length) ranges, without allocating strings.</summary>
    internal static Regex.ValueMatchEnumerator Ranges(ReadOnlySpan<char> text) => Regex().EnumerateMatches(text);
}
