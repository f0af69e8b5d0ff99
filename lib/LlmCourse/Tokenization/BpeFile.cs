using System.Globalization;
using System.Text;

namespace LlmCourse.Tokenization;

/// <summary>
/// The course's tokenizer file: UTF-8 text a student can open and read.
/// <code>
/// llmcourse-bpe 1                 ← format name and version (a reader refuses versions it does not know)
/// name bpe-2048
/// pre-tokenizer gpt2
/// merges 1787                     ← number of merge lines after the header
/// special 2043 &lt;|endoftext|&gt;      ← one line per special token: id, spelling
/// ---                             ← end of header
/// Ġ t 61893                       ← merge 0 makes token 256: left, right, pair count when learned
/// h e 40337                       ← merge 1 makes token 257 ...
/// </code>
/// Ids 0–255 are the bytes; merge k makes token 256 + k; special tokens follow the merges. Tokens are written with
/// <see cref="ByteLevelAlphabet"/> (GPT-2's byte → character table), so a token holding a space or half an emoji is
/// still one visible word with no space inside. Loading rebuilds every token and checks the file as it goes.
/// </summary>
public static class BpeFile
{
    /// <summary>First word of the first line.</summary>
    public const string Magic = "llmcourse-bpe";

    /// <summary>The format version this code writes and reads.</summary>
    public const int Version = 1;

    private const string EndOfHeader = "---";

    /// <summary>Writes the tokenizer to <paramref name="path"/> atomically (temp file, then rename).</summary>
    /// <exception cref="InvalidOperationException">The tokenizer has no merge list (e.g. <see cref="BytePairTokenizer.Gpt2"/>).</exception>
    public static void Save(BytePairTokenizer tokenizer, string path)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (tokenizer.Merges.Count != tokenizer.OrdinaryTokenCount - 256)
            throw new InvalidOperationException(
                $"'{tokenizer.Name}' was loaded from ranks and has no merge list, so this format cannot hold it. " +
                "Save only tokenizers made by BpeTrainer.Train (GPT-2's vocabulary always comes from its package).");
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Magic} {Version}\n");
        text.Append(CultureInfo.InvariantCulture, $"name {tokenizer.Name}\n");
        text.Append("pre-tokenizer gpt2\n");
        text.Append(CultureInfo.InvariantCulture, $"merges {tokenizer.Merges.Count}\n");
        foreach (var (spelling, id) in tokenizer.SpecialTokens.OrderBy(kv => kv.Value))
            text.Append(CultureInfo.InvariantCulture, $"special {id} {spelling}\n");
        text.Append(EndOfHeader).Append('\n');
        foreach (var m in tokenizer.Merges)
        {
            text.Append(ByteLevelAlphabet.Encode(tokenizer.TokenBytes(m.Left))).Append(' ')
                .Append(ByteLevelAlphabet.Encode(tokenizer.TokenBytes(m.Right))).Append(' ')
                .Append(m.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllText(temp, text.ToString(), new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>Reads a tokenizer written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, truncated, or not a tokenizer file; the message names the line.</exception>
    public static BytePairTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No tokenizer file at '{path}'. Train one with BpeTrainer.Train and save it with tokenizer.Save(path).", path);
        string[] lines;
        try
        {
            // Bytes, not ReadAllText: that would honour a UTF-16 byte-order mark and read garbage as text.
            lines = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path)).Split('\n');
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt(path, 1, "the file is not UTF-8 text");
        }
        return Parse(lines, path);
    }

    private static BytePairTokenizer Parse(string[] lines, string path)
    {
        if (lines.Length > 0 && lines[^1].Length == 0)
            lines = lines[..^1]; // the newline that ends the last line
        var at = 0;
        string Next(string expecting) => at < lines.Length ? lines[at++] : throw Corrupt(path, at + 1, $"the file ends where {expecting} should be");

        var first = Next("the header").Split(' ');
        if (first.Length != 2 || first[0] != Magic)
            throw Corrupt(path, 1, $"it does not start with '{Magic} {Version}', so it is not a course tokenizer file");
        if (first[1] != Version.ToString(CultureInfo.InvariantCulture))
            throw Corrupt(path, 1, $"format version {first[1]} is not supported (this code reads version {Version}); update the course code");

        string? name = null;
        int? mergeCount = null;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        while (true)
        {
            var line = Next($"'{EndOfHeader}'");
            if (line == EndOfHeader)
                break;
            var space = line.IndexOf(' ');
            var (key, value) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
            switch (key)
            {
                case "name":
                    name = value;
                    break;
                case "pre-tokenizer" when value == "gpt2":
                    break;
                case "pre-tokenizer":
                    throw Corrupt(path, at, $"unknown pre-tokenizer '{value}' (only gpt2 exists)");
                case "merges" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m):
                    mergeCount = m;
                    break;
                case "special":
                    var parts = value.Split(' ', 2);
                    if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || parts[1].Length == 0)
                        throw Corrupt(path, at, "a special line must be 'special ID SPELLING'");
                    if (!specials.TryAdd(parts[1], id))
                        throw Corrupt(path, at, $"special token {parts[1]} appears twice");
                    break;
                default:
                    throw Corrupt(path, at, $"unexpected header line '{Shorten(line)}'");
            }
        }
        if (mergeCount is null)
            throw Corrupt(path, at, "the header has no 'merges N' line");

        var tokens = new List<byte[]>(256 + mergeCount.Value);
        var idByBytes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++)
        {
            tokens.Add([(byte)b]);
            idByBytes.Add(Latin1([(byte)b]), b);
        }
        var merges = new List<BpeMerge>(mergeCount.Value);
        for (var k = 0; k < mergeCount; k++)
        {
            var line = Next($"merge {k + 1} of {mergeCount}");
            var parts = line.Split(' ');
            if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw Corrupt(path, at, "a merge line must be 'LEFT RIGHT COUNT'");
            var left = TokenId(parts[0]);
            var right = TokenId(parts[1]);
            byte[] joined = [.. tokens[left], .. tokens[right]];
            if (!idByBytes.TryAdd(Latin1(joined), tokens.Count))
                throw Corrupt(path, at, $"merge makes '{parts[0]}{parts[1]}', which an earlier line already made");
            merges.Add(new BpeMerge(left, right, tokens.Count, count));
            tokens.Add(joined);

            int TokenId(string written) =>
                ByteLevelAlphabet.TryDecode(written, out var bytes) && bytes.Length > 0 && idByBytes.TryGetValue(Latin1(bytes), out var found)
                    ? found
                    : throw Corrupt(path, at, $"'{Shorten(written)}' is not a token defined on an earlier line");
        }
        if (at < lines.Length)
            throw Corrupt(path, at + 1, $"there is more after the {mergeCount} merges the header announced");

        var expected = tokens.Count;
        foreach (var (spelling, id) in specials.OrderBy(kv => kv.Value))
        {
            if (id != expected++)
                throw Corrupt(path, 0, $"special token {spelling} has id {id}; special ids must follow the merges ({tokens.Count}, {tokens.Count + 1}, ...)");
        }
        return new BytePairTokenizer(name ?? Path.GetFileNameWithoutExtension(path), tokens.ToArray(), specials, merges);
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static InvalidDataException Corrupt(string path, int line, string problem) =>
        new($"Tokenizer file '{path}'{(line > 0 ? $" line {line}" : "")}: {problem}. " +
            "The file is damaged or was not written by BytePairTokenizer.Save: train and save the tokenizer again.");
}
