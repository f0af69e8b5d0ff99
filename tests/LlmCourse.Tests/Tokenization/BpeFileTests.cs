using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public sealed class BpeFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("llmcourse-bpe-").FullName;
    private static readonly Lazy<BytePairTokenizer> Trained =
        new(() => BpeTrainer.Train(BpeTrainerTests.Corpus(12, 20_000) + " 日本語 😀 \n\n  ", new BpeTrainingOptions(420)));

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string SavedCopy()
    {
        var path = Path.Combine(folder, "tok.bpe");
        Trained.Value.Save(path);
        return path;
    }

    [Fact]
    public void Save_then_load_gives_the_same_tokenizer()
    {
        var path = SavedCopy();
        var loaded = BytePairTokenizer.Load(path);
        var original = Trained.Value;
        Assert.Equal(original.Merges, loaded.Merges);
        Assert.Equal(original.SpecialTokens, loaded.SpecialTokens);
        Assert.Equal(original.VocabularySize, loaded.VocabularySize);
        Assert.Equal(original.Name, loaded.Name);
        var random = new Random(13);
        for (var i = 0; i < 200; i++)
        {
            var text = RandomText.Mixed(random, 20);
            Assert.Equal(original.Encode(text), loaded.Encode(text));
        }
        Assert.Equal(original.Encode(BpeTrainerTests.Corpus(12, 2000)), loaded.Encode(BpeTrainerTests.Corpus(12, 2000)));
    }

    [Fact]
    public void The_file_is_readable_text_with_a_versioned_header()
    {
        var lines = File.ReadAllLines(SavedCopy());
        Assert.Equal("llmcourse-bpe 1", lines[0]);
        Assert.Contains("merges 159", lines); // 420 − 256 − 5
        Assert.Contains("special 415 <|endoftext|>", lines);
        var body = lines.SkipWhile(l => l != "---").Skip(1).ToList();
        Assert.Equal(159, body.Count);
        Assert.All(body, l => Assert.Equal(3, l.Split(' ').Length));
    }

    [Fact]
    public void Saving_over_a_file_leaves_no_temporary_files()
    {
        var path = SavedCopy();
        Trained.Value.Save(path);
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Theory]
    [InlineData("not a tokenizer\n", "not a course tokenizer file")]
    [InlineData("llmcourse-bpe 2\n", "version 2 is not supported")]
    [InlineData("llmcourse-bpe 1\nmerges 2\n---\nh e 5\n", "file ends where merge 2 of 2")]
    [InlineData("llmcourse-bpe 1\nmerges 1\n---\nhe llo 5\n", "'he' is not a token defined on an earlier line")]
    [InlineData("llmcourse-bpe 1\nmerges 1\n---\nh e\n", "must be 'LEFT RIGHT COUNT'")]
    [InlineData("llmcourse-bpe 1\nmerges 1\n---\nh e 5\nx y 3\n", "more after the 1 merges")]
    [InlineData("llmcourse-bpe 1\nmerges 2\n---\nh e 5\nh e 4\n", "already made")]
    [InlineData("llmcourse-bpe 1\nmerges 0\nspecial 300 <|end|>\n---\n", "must follow the merges")]
    [InlineData("llmcourse-bpe 1\nmerges 0\ncolour blue\n---\n", "unexpected header line")]
    [InlineData("llmcourse-bpe 1\n---\n", "no 'merges N' line")]
    public void A_corrupt_file_gives_a_clear_error(string content, string expected)
    {
        var path = Path.Combine(folder, "bad.bpe");
        File.WriteAllText(path, content);
        var error = Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains("train and save the tokenizer again", error.Message);
    }

    [Fact]
    public void A_truncated_or_binary_file_gives_a_clear_error()
    {
        var path = SavedCopy();
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length * 2 / 3)]);
        Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path));
        File.WriteAllBytes(path, [0xFF, 0xFE, 0x00, 0x81, 0x9F]);
        Assert.Contains("not UTF-8", Assert.Throws<InvalidDataException>(() => BytePairTokenizer.Load(path)).Message);
    }

    [Fact]
    public void Missing_files_and_rank_only_tokenizers_are_explained()
    {
        Assert.Throws<FileNotFoundException>(() => BytePairTokenizer.Load(Path.Combine(folder, "nope.bpe")));
        var error = Assert.Throws<InvalidOperationException>(() => BytePairTokenizer.Gpt2().Save(Path.Combine(folder, "gpt2.bpe")));
        Assert.Contains("no merge list", error.Message);
    }
}
