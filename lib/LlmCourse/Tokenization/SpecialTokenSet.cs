using System.Buffers;

namespace LlmCourse.Tokenization;

/// <summary>
/// Finds special tokens in text so they are cut out BEFORE pre-tokenization: a special token is then one id and
/// can never be split or merged with its neighbours. At one position the longest spelling wins.
/// </summary>
internal sealed class SpecialTokenSet
{
    private readonly string[] spellings;
    private readonly SearchValues<string>? search;

    public SpecialTokenSet(IReadOnlyDictionary<string, int> tokens)
    {
        foreach (var spelling in tokens.Keys)
            if (string.IsNullOrEmpty(spelling))
                throw new ArgumentException("A special token's spelling must not be empty.", nameof(tokens));
        Ids = tokens;
        // Longest first, so "<|endoftext|>" beats a shorter special that happens to be its prefix.
        spellings = tokens.Keys.OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).ToArray();
        search = spellings.Length > 0 ? SearchValues.Create(spellings, StringComparison.Ordinal) : null;
    }

    public IReadOnlyDictionary<string, int> Ids { get; }

    /// <summary>
    /// Calls <paramref name="ordinary"/> for each stretch of plain text and <paramref name="special"/> for each special
    /// token, in order, as the policy says.
    /// </summary>
    public void Split(string text, SpecialTokenPolicy policy, string tokenizer, Action<int, int> ordinary, Action<int> special)
    {
        if (search is null || policy == SpecialTokenPolicy.AsText)
        {
            if (text.Length > 0)
                ordinary(0, text.Length);
            return;
        }
        var start = 0;
        while (start < text.Length)
        {
            var found = text.AsSpan(start).IndexOfAny(search);
            if (found < 0)
                break;
            var at = start + found;
            var spelling = spellings.First(s => text.AsSpan(at).StartsWith(s, StringComparison.Ordinal));
            if (policy == SpecialTokenPolicy.Reject)
                throw TokenizerErrors.RejectedSpecial(spelling, at, tokenizer);
            if (at > start)
                ordinary(start, at - start);
            special(Ids[spelling]);
            start = at + spelling.Length;
        }
        if (start < text.Length)
            ordinary(start, text.Length - start);
    }
}
