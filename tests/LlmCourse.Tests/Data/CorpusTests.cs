using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LlmCourse.Data;

namespace LlmCourse.Tests.Data;

public class CorpusTests
{
    private static string ReadmePath => Path.Combine(Course.DataDir, "README.md");

    [Fact]
    public void Checksum_constant_matches_data_readme_and_the_file()
    {
        var readme = File.ReadAllText(ReadmePath);
        var stated = Regex.Match(readme, @"SHA-256[^0-9a-f]*([0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(Corpus.Sha256, stated);
        Assert.Equal(Corpus.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Corpus.DefaultPath))));
    }

    [Fact]
    public void Readme_states_the_real_size_in_bytes_and_characters()
    {
        var readme = File.ReadAllText(ReadmePath);
        var text = Corpus.Austen.Text;
        Assert.Equal(new FileInfo(Corpus.DefaultPath).Length, Number(readme, "bytes"));
        Assert.Equal(text.Length, Number(readme, "characters"));
        Assert.Equal(text.Distinct().Count(), Number(readme, "distinct characters"));

        static long Number(string readme, string label) =>
            long.Parse(Regex.Match(readme, $@"\|\s*{label}\s*\|\s*([\d,]+)").Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Six_novels_in_publication_order_with_their_real_chapter_counts()
    {
        var corpus = Corpus.Austen;
        Assert.Equal(["SENSE AND SENSIBILITY", "PRIDE AND PREJUDICE", "MANSFIELD PARK", "EMMA", "NORTHANGER ABBEY", "PERSUASION"],
            corpus.Novels.Select(n => n.Title));
        // Chapter counts of the printed novels (Emma: 18 + 18 + 19 over three volumes).
        Assert.Equal([50, 61, 48, 55, 31, 24], corpus.Novels.Select(n => n.Chapters.Count));
        Assert.All(corpus.Novels, n => Assert.Equal(n.Text, corpus.Text.Substring(n.Span.Start, n.Span.Length)));
    }

    [Fact]
    public void Text_is_clean_prose_with_LF_paragraphs_and_no_markup()
    {
        var text = Corpus.Austen.Text;
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('_', text);
        Assert.DoesNotContain("  ", text);
        Assert.Equal(5, Regex.Count(text, "\n\n\n"));   // only between the six novels
        Assert.EndsWith(".\n\nFinis\n", text);          // Persuasion's last line, one final newline
        Assert.All(text.Split('\n'), line => Assert.Equal(line.Trim(), line));
    }

    [Fact]
    public void Novels_are_found_by_title_ignoring_case_and_spacing()
    {
        var corpus = Corpus.Austen;
        Assert.Equal("PRIDE AND PREJUDICE", corpus.Novel("pride and prejudice").Title);
        Assert.Equal("Pride and Prejudice", corpus.Novel("PrideAndPrejudice").DisplayTitle);
        Assert.StartsWith("It is a truth universally acknowledged", corpus.Novel("Pride and Prejudice").Chapters[0].Text["Chapter 1\n\n".Length..]);
        var error = Assert.Throws<KeyNotFoundException>(() => corpus.Novel("Lady Susan"));
        Assert.Contains("Northanger Abbey", error.Message);
    }

    [Fact]
    public void Split_is_disjoint_and_covers_the_text_in_order()
    {
        var corpus = Corpus.Austen;
        var spans = corpus.TrainSpans.Concat(corpus.ValidationSpans).OrderBy(s => s.Start).ToList();
        var position = 0;
        foreach (var span in spans)
        {
            Assert.Equal(position, span.Start); // no gap, no overlap
            Assert.True(span.Length > 0);
            position = span.End;
        }
        Assert.Equal(corpus.Text.Length, position);
        Assert.Equal(corpus.Text.Length, corpus.Train.Length + corpus.Validation.Length);
    }

    [Fact]
    public void Validation_is_every_tenth_chapter_of_every_novel_about_a_tenth_of_the_text()
    {
        var corpus = Corpus.Austen;
        var expected = corpus.Novels.SelectMany(n => n.Chapters.Where(c => c.Number % 10 == 0)).Select(c => c.Span.Start);
        Assert.Equal(expected, corpus.ValidationSpans.Select(s => s.Start));
        Assert.All(corpus.Novels, n => Assert.Contains(corpus.ValidationSpans, s => s.Start >= n.Span.Start && s.End <= n.Span.End + 3));
        var fraction = (double)corpus.Validation.Length / corpus.Text.Length;
        Assert.InRange(fraction, 0.07, 0.13);
    }

    [Fact]
    public void No_validation_paragraph_appears_in_the_training_text()
    {
        var corpus = Corpus.Austen;
        foreach (var span in corpus.ValidationSpans)
        {
            // The longest paragraph of the chapter: a held-out chapter must not also be in training.
            var paragraph = corpus.Text.Substring(span.Start, span.Length).Split("\n\n").MaxBy(p => p.Length)!;
            Assert.DoesNotContain(paragraph, corpus.Train, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Split_is_deterministic_across_loads()
    {
        var first = Corpus.Load(Corpus.DefaultPath);
        var second = Corpus.Load(Corpus.DefaultPath);
        Assert.NotSame(first, second);
        Assert.Equal(first.TrainSpans, second.TrainSpans);
        Assert.Equal(first.Validation, second.Validation);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(first.Train))),
                     Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(second.Train))));
        Assert.Same(Corpus.Austen, Corpus.Austen);
    }

    [Fact]
    public void Missing_file_names_the_path_and_the_fix()
    {
        var path = Path.Combine(Path.GetTempPath(), $"llmcourse-{Guid.NewGuid():N}", "austen.txt");
        var error = Assert.Throws<FileNotFoundException>(() => Corpus.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("git checkout data/austen.txt", error.Message);
        Assert.Contains(Corpus.RegenerateCommand, error.Message);
    }

    [Fact]
    public void Altered_file_names_the_path_and_the_fix()
    {
        var path = CopyOfCorpus(bytes => bytes[bytes.Length / 2] ^= 0x01); // flip one bit in the middle of Mansfield Park
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => Corpus.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("altered", error.Message);
            Assert.Contains("git checkout data/austen.txt", error.Message);
            Assert.DoesNotContain("CRLF", error.Message);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void Windows_line_endings_are_called_out_as_the_cause()
    {
        var path = RewrittenCopyOfCorpus(bytes => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\n", "\r\n")));
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => Corpus.Load(path));
            Assert.Contains("CRLF", error.Message);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    private static string CopyOfCorpus(Action<byte[]> alter) => RewrittenCopyOfCorpus(bytes => { alter(bytes); return bytes; });

    private static string RewrittenCopyOfCorpus(Func<byte[], byte[]> alter)
    {
        var directory = Directory.CreateTempSubdirectory("llmcourse-corpus-").FullName;
        var path = Path.Combine(directory, Corpus.FileName);
        File.WriteAllBytes(path, alter(File.ReadAllBytes(Corpus.DefaultPath)));
        return path;
    }
}
