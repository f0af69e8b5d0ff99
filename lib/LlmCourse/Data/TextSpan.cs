namespace LlmCourse.Data;

/// <summary>A stretch of the corpus text: <paramref name="Start"/> is a character index, <paramref name="Length"/> a character count.</summary>
/// <param name="Start">Index of the first character.</param>
/// <param name="Length">Number of characters.</param>
public readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>Index just past the last character.</summary>
    public int End => Start + Length;
}
