namespace LlmCourse.Data;

/// <summary>
/// The course's one notion of "a word" for counting and matching (retrieval, contamination checks): a maximal run of
/// letters and digits, lower-cased. Punctuation and spaces separate words and are dropped, so "Mr. Darcy's" gives
/// "mr", "darcy", "s". Deliberately simpler than a tokenizer: these tools compare texts, they do not feed a model.
/// </summary>
public static class TextWords
{
    /// <summary>The words of <paramref name="text"/>, in order, lower-cased.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
                start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }
}
