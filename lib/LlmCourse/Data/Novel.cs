namespace LlmCourse.Data;

/// <summary>One of the six novels inside the corpus.</summary>
/// <param name="Title">The title as printed on its first line, e.g. "PRIDE AND PREJUDICE".</param>
/// <param name="Span">Where the novel sits in <see cref="Corpus.Text"/> (title line to the end of its last paragraph, separator included).</param>
/// <param name="Text">The novel's text, from the title line to the end of its last paragraph.</param>
/// <param name="Chapters">The chapters in order, each from its heading line up to the next heading.</param>
public sealed record Novel(string Title, TextSpan Span, string Text, IReadOnlyList<Chapter> Chapters)
{
    /// <summary>The title in ordinary case, e.g. "Pride and Prejudice".</summary>
    public string DisplayTitle => string.Join(' ', Title.ToLowerInvariant().Split(' ')
        .Select((w, i) => i > 0 && w is "and" ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    /// <inheritdoc/>
    public override string ToString() => $"{DisplayTitle} ({Text.Length:N0} characters, {Chapters.Count} chapters)";
}

/// <summary>A chapter: its heading line and the paragraphs after it, up to the next chapter or volume heading.</summary>
/// <param name="Heading">The heading line, e.g. "CHAPTER XII" or "Chapter 12".</param>
/// <param name="Number">The chapter's position in its novel, counting from 1 across volumes.</param>
/// <param name="Span">Where it sits in <see cref="Corpus.Text"/>.</param>
/// <param name="Text">Its text, heading included.</param>
public sealed record Chapter(string Heading, int Number, TextSpan Span, string Text);
