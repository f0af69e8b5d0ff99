// Builds the course corpus (data/austen.txt) from the R lazy-load database in Debian's r-cran-janeaustenr.
// Usage: LlmCourse.CorpusBuilder <folder holding Rdata.rdx and Rdata.rdb> [output file]
// tools/extract-corpus.sh downloads and unpacks the package, then runs this.
using System.Security.Cryptography;
using System.Text;
using LlmCourse;
using LlmCourse.Data;

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("Usage: LlmCourse.CorpusBuilder <folder with Rdata.rdx + Rdata.rdb> [output, default data/austen.txt]");
    Console.Error.WriteLine("Normally run through tools/extract-corpus.sh, which fetches the Debian package first.");
    return 2;
}

var rdx = Path.Combine(args[0], "Rdata.rdx");
var output = Path.GetFullPath(args.Length > 1 ? args[1] : Corpus.DefaultPath);

var database = RLazyLoadDatabase.Open(rdx);
var rawLineCounts = new Dictionary<string, int>();
var text = AustenCleaner.BuildCorpus(LinesOf);

// Write next to the target, then rename: a crash never leaves half a corpus behind.
var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
var temporary = output + ".tmp";
File.WriteAllBytes(temporary, bytes);
File.Move(temporary, output, overwrite: true);

var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
Console.WriteLine($"Wrote {output}");
Console.WriteLine($"  bytes               {bytes.Length}");
Console.WriteLine($"  characters          {text.Length}");
Console.WriteLine($"  distinct characters {text.Distinct().Count()}");
Console.WriteLine($"  lines               {text.Count(c => c == '\n')}");
Console.WriteLine($"  SHA-256             {sha}");
foreach (var novel in AustenCleaner.Novels)
    Console.WriteLine($"  {novel.Title,-22} {rawLineCounts[novel.RName],6} raw lines");
if (sha == Corpus.Sha256)
{
    Console.WriteLine("Matches Corpus.Sha256 and data/README.md.");
    return 0;
}
Console.WriteLine($"Differs from Corpus.Sha256 ({Corpus.Sha256}). If the change is intended, update the constant in " +
                  "lib/LlmCourse/Data/Corpus.cs and the numbers in data/README.md (a test checks they agree).");
return 1;

IReadOnlyList<string?> LinesOf(string name)
{
    if (database.Read(name) is not RCharacter lines)
        throw new InvalidDataException($"'{name}' in {rdx} is not a character vector: not the janeaustenr package this tool expects.");
    rawLineCounts[name] = lines.Values.Length;
    return lines.Values;
}
