using System.Text;
using System.Text.RegularExpressions;

namespace LlmCourse.Data;

/// <summary>
/// Turns the janeaustenr package's raw lines (one R string per printed line, "" for blank lines) into the course's
/// corpus text. The rules, in order:
/// <list type="number">
/// <item>Editorial matter that is not Austen's is dropped: the Signet "A NOTE ON THE TEXT" after Northanger Abbey and
/// bracketed notes about editions ("[At this point in the first and second editions, ...]").</item>
/// <item>Each etext's own title page (title, "By Jane Austen", year) is replaced by one title line in capitals.</item>
/// <item>Paragraphs are reflowed onto one line each, with a blank line between paragraphs: a newline then means
/// "new paragraph", not "the transcriber's line was full". Lines ending in "--" join without a space, as the
/// dashes inside lines do. Verse and letter signatures (indented lines that each start with a capital, or lines at
/// different indents, or each opening with a quote mark) keep their line breaks.</item>
/// <item>Underscores marking italics are removed: only three of the six etexts mark italics at all (Sense and
/// Sensibility uses CAPITALS, two mark nothing), so the marks would teach a model about transcribers, not Austen.</item>
/// <item>Indentation is dropped and runs of spaces become one (some etexts put two spaces after a full stop).</item>
/// </list>
/// Novels are separated by two blank lines; nowhere else does the text have two blank lines in a row.
/// </summary>
public static class AustenCleaner
{
    /// <summary>The six novels in publication order: the object name in janeaustenr's data and the title line written.</summary>
    public static IReadOnlyList<(string RName, string Title)> Novels { get; } =
    [
        ("sensesensibility", "SENSE AND SENSIBILITY"),
        ("prideprejudice", "PRIDE AND PREJUDICE"),
        ("mansfieldpark", "MANSFIELD PARK"),
        ("emma", "EMMA"),
        ("northangerabbey", "NORTHANGER ABBEY"),
        ("persuasion", "PERSUASION"),
    ];

    /// <summary>What separates one novel from the next in the corpus: two blank lines.</summary>
    public const string NovelSeparator = "\n\n\n";

    /// <summary>A line that opens the novel proper: a volume or chapter heading, or Northanger Abbey's preface.</summary>
    internal static readonly Regex FirstHeading = new(@"^\s*((VOLUME|CHAPTER) [0-9IVXLC]+|ADVERTISEMENT BY THE AUTHORESS.*)\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex EditionNote = new(@"^\[.*\beditions?\b.*\]$", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    private const string SignetNote = "A NOTE ON THE TEXT";
    private static readonly Regex Spaces = new(" {2,}", RegexOptions.CultureInvariant);

    /// <summary>Builds the whole corpus: every novel cleaned, in publication order, joined by <see cref="NovelSeparator"/>, ending in one newline.</summary>
    /// <param name="linesOf">Gives the raw lines of a novel from its janeaustenr object name.</param>
    public static string BuildCorpus(Func<string, IReadOnlyList<string?>> linesOf) =>
        string.Join(NovelSeparator, Novels.Select(n => CleanNovel(n.Title, linesOf(n.RName)))) + "\n";

    /// <summary>Cleans one novel: its title line, a blank line, then its paragraphs separated by blank lines (no trailing newline).</summary>
    /// <param name="title">The title line to write.</param>
    /// <param name="rawLines">The package's lines for the novel; null (R's NA) counts as a blank line.</param>
    /// <exception cref="InvalidDataException">No chapter heading was found, so the text is not a novel from the package.</exception>
    public static string CleanNovel(string title, IReadOnlyList<string?> rawLines)
    {
        var lines = rawLines.Select(l => (l ?? "").TrimEnd()).ToList();
        var signet = lines.FindIndex(l => l.Trim() == SignetNote);
        if (signet >= 0) lines.RemoveRange(signet, lines.Count - signet);
        var start = lines.FindIndex(l => FirstHeading.IsMatch(l));
        if (start < 0)
            throw new InvalidDataException(
                $"'{title}': no 'CHAPTER ...' or 'VOLUME ...' heading line found; is this a novel from r-cran-janeaustenr?");

        var paragraphs = Blocks(lines.Skip(start))
            .Select(block => block.Select(l => l.Replace("_", "")).ToList())
            .Where(block => !EditionNote.IsMatch(string.Join(" ", block.Select(l => l.Trim()))))
            .Select(block => IsSetOff(block) ? string.Join("\n", block.Select(Tidy)) : Reflow(block));
        return title + "\n\n" + string.Join("\n\n", paragraphs);
    }

    /// <summary>Splits lines into blocks of consecutive non-blank lines.</summary>
    private static IEnumerable<List<string>> Blocks(IEnumerable<string> lines)
    {
        var block = new List<string>();
        foreach (var line in lines)
        {
            if (line.Trim().Length > 0) { block.Add(line); continue; }
            if (block.Count > 0) { yield return block; block = []; }
        }
        if (block.Count > 0) yield return block;
    }

    /// <summary>
    /// True for verse and set-off lines whose breaks carry meaning: a block of several lines, all indented, that sit at
    /// different indents (verse, a letter's signature), or each open with a quote mark, or each start with a capital.
    /// An indented block of ordinary prose (a letter's body) has lines starting in lower case and one indent.
    /// </summary>
    internal static bool IsSetOff(IReadOnlyList<string> block)
    {
        if (block.Count < 2 || !block.All(l => l.Length > 0 && char.IsWhiteSpace(l[0]))) return false;
        var indents = block.Select(l => l.Length - l.TrimStart().Length).Distinct().Count();
        return indents > 1
            || block.All(l => l.TrimStart().StartsWith('"'))  // old style: every line of a quoted verse opens with a quote mark
            || block.All(l => l.TrimStart().TrimStart('"', '\'') is [var first, ..] && char.IsUpper(first));
    }

    /// <summary>Joins a paragraph's lines into one line.</summary>
    internal static string Reflow(IReadOnlyList<string> block)
    {
        var text = new StringBuilder();
        foreach (var line in block.Select(Tidy))
        {
            // Dashes are written "--" with no spaces; a line that ends in one continues the same word group.
            if (text.Length > 0 && !(text.Length >= 2 && text[^1] == '-' && text[^2] == '-'))
                text.Append(' ');
            text.Append(line);
        }
        return text.ToString();
    }

    private static string Tidy(string line) => Spaces.Replace(line.Trim(), " ");
}
