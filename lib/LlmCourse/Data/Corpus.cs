using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmCourse.Data;

/// <summary>
/// The course's pretraining text: Jane Austen's six novels in one UTF-8 file, <c>data/austen.txt</c> (see
/// <c>data/README.md</c> for where it comes from). Load it with <see cref="Austen"/>: the file is read and its SHA-256
/// checked once, then cached.
/// <para>
/// Train/validation split: in every novel, every tenth chapter (the 10th, 20th, ...) is validation and all the rest is
/// training. Whole chapters keep the held-out text from being a continuation of a paragraph the model trained on, and
/// taking them from the beginning, middle and end of all six novels keeps the validation text as varied as the
/// training text (the last 10% of each book would be all weddings and wrap-ups).
/// </para>
/// </summary>
public sealed class Corpus
{
    /// <summary>The corpus file's name inside <c>data/</c>.</summary>
    public const string FileName = "austen.txt";

    /// <summary>SHA-256 of <c>data/austen.txt</c> (lower-case hex); <c>data/README.md</c> states the same value.</summary>
    public const string Sha256 = "30f36a19d36de7434215de10601d6b65c2254597419a8437c82f0033f952141f";

    /// <summary>Every n-th chapter of a novel goes to validation.</summary>
    public const int ValidationEveryNthChapter = 10;

    /// <summary>The command that rebuilds the file from the Debian package.</summary>
    public const string RegenerateCommand = "tools/extract-corpus.sh";

    private static readonly Regex HeadingLine = new(@"^(?:VOLUME|CHAPTER) [0-9IVXLC]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Lock CacheLock = new();
    private static Corpus? cached;

    private Corpus(string path, string text)
    {
        Path = path;
        Text = text;
        Novels = FindNovels(text);
        ValidationSpans = FindValidationSpans(text, Novels);
        TrainSpans = Complement(ValidationSpans, text.Length);
        Train = string.Concat(TrainSpans.Select(s => text.AsSpan(s.Start, s.Length).ToString()));
        Validation = string.Concat(ValidationSpans.Select(s => text.AsSpan(s.Start, s.Length).ToString()));
    }

    /// <summary>Where the course keeps the corpus: <c>data/austen.txt</c> under the repository root.</summary>
    public static string DefaultPath => System.IO.Path.Combine(Course.DataDir, FileName);

    /// <summary>The corpus from <see cref="DefaultPath"/>, read and checked on first use and cached after that.</summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message says how to get it back.</exception>
    /// <exception cref="InvalidDataException">The file's checksum is wrong; the message says how to restore it.</exception>
    public static Corpus Austen
    {
        get
        {
            // Not Lazy<T>: it would cache a failure too, and a student who restores the file should not have to restart the kernel.
            lock (CacheLock)
                return cached ??= Load(DefaultPath);
        }
    }

    /// <summary>Reads a corpus file and checks it against a SHA-256 (no caching: <see cref="Austen"/> caches).</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="expectedSha256">The checksum it must have; defaults to the course corpus's <see cref="Sha256"/>.</param>
    /// <exception cref="FileNotFoundException">The file is missing; the message names it and the fix.</exception>
    /// <exception cref="InvalidDataException">The checksum differs; the message names the file and the fix.</exception>
    public static Corpus Load(string path, string expectedSha256 = Sha256)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var fix = $"Restore it with `git checkout data/{FileName}` in the course folder, or regenerate it with `{RegenerateCommand}` (see data/README.md).";
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"The course corpus '{fullPath}' is missing. {fix}", fullPath);

        var bytes = File.ReadAllBytes(fullPath);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!actual.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            var hint = bytes.AsSpan().IndexOf("\r\n"u8) >= 0
                ? " It has Windows line endings (CRLF): git converted them on checkout; the repository's .gitattributes marks the file -text to prevent that."
                : "";
            throw new InvalidDataException(
                $"The course corpus '{fullPath}' has been altered: its SHA-256 is {actual}, expected {expectedSha256}.{hint} {fix}");
        }
        return new Corpus(fullPath, new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
    }

    /// <summary>The file the corpus was read from.</summary>
    public string Path { get; }

    /// <summary>The whole text: six novels separated by two blank lines, one paragraph per line, LF line ends.</summary>
    public string Text { get; }

    /// <summary>The six novels in publication order.</summary>
    public IReadOnlyList<Novel> Novels { get; }

    /// <summary>The training text: everything except the validation chapters, in order.</summary>
    public string Train { get; }

    /// <summary>The validation text: every tenth chapter of each novel, in order.</summary>
    public string Validation { get; }

    /// <summary>Where the training text sits in <see cref="Text"/>: sorted, disjoint, and together with <see cref="ValidationSpans"/> covering it all.</summary>
    public IReadOnlyList<TextSpan> TrainSpans { get; }

    /// <summary>Where the validation chapters sit in <see cref="Text"/>, each from its heading to the next heading.</summary>
    public IReadOnlyList<TextSpan> ValidationSpans { get; }

    /// <summary>
    /// A novel by title, ignoring case, spaces and punctuation: <c>Novel("Emma")</c>, <c>Novel("pride and prejudice")</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such novel; the message lists the six titles.</exception>
    public Novel Novel(string title)
    {
        var key = Normalize(title);
        return Novels.FirstOrDefault(n => Normalize(n.Title) == key)
            ?? throw new KeyNotFoundException(
                $"No novel called '{title}' in the corpus. The six are: {string.Join(", ", Novels.Select(n => n.DisplayTitle))}.");

        static string Normalize(string s) => new(s.Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Jane Austen corpus: {Text.Length:N0} characters in {Novels.Count} novels; train {Train.Length:N0}, validation {Validation.Length:N0}";

    private static List<Novel> FindNovels(string text)
    {
        var novels = new List<Novel>();
        var start = 0;
        foreach (var part in text.TrimEnd('\n').Split(AustenCleaner.NovelSeparator))
        {
            var span = new TextSpan(start, part.Length);
            var title = part[..part.IndexOf('\n')];
            novels.Add(new Novel(title, span, part, FindChapters(text, span)));
            start += part.Length + AustenCleaner.NovelSeparator.Length;
        }
        return novels;
    }

    private static List<Chapter> FindChapters(string text, TextSpan novel)
    {
        var headings = FindHeadings(text, novel);
        var chapters = new List<Chapter>();
        for (var i = 0; i < headings.Count; i++)
        {
            if (!headings[i].Text.StartsWith("CHAPTER", StringComparison.OrdinalIgnoreCase)) continue; // a VOLUME line only ends the chapter before it
            var end = i + 1 < headings.Count ? headings[i + 1].Start : novel.End;
            var body = text[headings[i].Start..end].TrimEnd('\n');
            chapters.Add(new Chapter(headings[i].Text, chapters.Count + 1, new TextSpan(headings[i].Start, body.Length), body));
        }
        return chapters;
    }

    /// <summary>Volume and chapter headings: paragraphs of one short line such as "CHAPTER XII" or "VOLUME II".</summary>
    private static List<(int Start, string Text)> FindHeadings(string text, TextSpan novel)
    {
        var headings = new List<(int, string)>();
        // Walk the paragraph breaks with IndexOf (vectorised) rather than running a regex over four million characters.
        for (var start = text.IndexOf("\n\n", novel.Start, novel.Length, StringComparison.Ordinal); start >= 0;
             start = text.IndexOf("\n\n", start, novel.End - start, StringComparison.Ordinal))
        {
            start += 2;
            var lineEnd = text.IndexOf('\n', start, novel.End - start);
            if (lineEnd < 0) lineEnd = novel.End;
            if (lineEnd - start > 24) continue; // headings are short; skip the regex for ordinary paragraphs
            var line = text[start..lineEnd];
            if (HeadingLine.IsMatch(line)) headings.Add((start, line));
        }
        return headings;
    }

    /// <summary>Each validation chapter runs from its heading to the next heading (or the next novel's title), blank lines included.</summary>
    private static List<TextSpan> FindValidationSpans(string text, IReadOnlyList<Novel> novels)
    {
        var spans = new List<TextSpan>();
        foreach (var novel in novels)
        {
            var boundaries = FindHeadings(text, novel.Span).Select(h => h.Start)
                .Append(novels[^1] == novel ? text.Length : novel.Span.End + AustenCleaner.NovelSeparator.Length)
                .ToList();
            foreach (var chapter in novel.Chapters.Where(c => c.Number % ValidationEveryNthChapter == 0))
            {
                var next = boundaries.First(b => b > chapter.Span.Start);
                spans.Add(new TextSpan(chapter.Span.Start, next - chapter.Span.Start));
            }
        }
        return spans;
    }

    private static List<TextSpan> Complement(IReadOnlyList<TextSpan> sortedSpans, int length)
    {
        var gaps = new List<TextSpan>();
        var position = 0;
        foreach (var span in sortedSpans)
        {
            if (span.Start > position) gaps.Add(new TextSpan(position, span.Start - position));
            position = span.End;
        }
        if (position < length) gaps.Add(new TextSpan(position, length - position));
        return gaps;
    }
}
