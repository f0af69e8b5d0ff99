using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class BytePairTokenizerTests
{
    private static readonly Lazy<BytePairTokenizer> Trained =
        new(() => BpeTrainer.Train(BpeTrainerTests.Corpus(9, 20_000), new BpeTrainingOptions(500)));

    public static TheoryData<string> Tokenizers => new() { "trained", "gpt2" };

    private static BytePairTokenizer Get(string which) => which == "gpt2" ? BytePairTokenizer.Gpt2() : Trained.Value;

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Any_string_round_trips_lone_surrogates_included(string which)
    {
        var bpe = Get(which);
        var random = new Random(10);
        for (var i = 0; i < 500; i++)
        {
            var text = i % 2 == 0 ? RandomText.AnyChars(random, random.Next(0, 40)) : RandomText.Mixed(random, random.Next(0, 20));
            Assert.Equal(text, bpe.Decode(bpe.Encode(text)));
            Assert.Equal(text, bpe.Decode(bpe.Encode(text, SpecialTokenPolicy.AsText)));
        }
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Special_tokens_follow_the_policy_and_are_never_split(string which)
    {
        var bpe = Get(which);
        var eot = bpe.SpecialTokens[Specials.EndOfText];
        var text = "one<|endoftext|><|endoftext|> two<|endoftext|>";

        var allowed = bpe.Encode(text);
        Assert.Equal(3, allowed.Count(id => id == eot));
        Assert.Equal(text, bpe.Decode(allowed));

        var asText = bpe.Encode(text, SpecialTokenPolicy.AsText);
        Assert.DoesNotContain(eot, asText);
        Assert.Equal(text, bpe.Decode(asText));

        var error = Assert.Throws<ArgumentException>(() => bpe.Encode(text, SpecialTokenPolicy.Reject));
        Assert.Contains("<|endoftext|> at position 3", error.Message);
    }

    [Fact]
    public void The_longest_special_token_wins_at_one_position()
    {
        var bpe = BpeTrainer.Train("abc abc", new BpeTrainingOptions(300, ["<|end|>", "<|end|>x"]));
        Assert.Equal([bpe.SpecialTokens["<|end|>x"], bpe.SpecialTokens["<|end|>"]], bpe.Encode("<|end|>x<|end|>"));
    }

    [Fact]
    public void Decoding_an_id_outside_the_vocabulary_names_the_id_and_the_size()
    {
        var bpe = Trained.Value;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => bpe.Decode([1, 500]));
        Assert.Contains("500", error.Message);
        Assert.Contains("size 500", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => bpe.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BytePairTokenizer.Gpt2().Piece(50257));
    }

    [Fact]
    public void Pieces_show_whole_characters_as_text_and_broken_ones_as_hex()
    {
        var gpt2 = BytePairTokenizer.Gpt2();
        Assert.Equal([" cat"], gpt2.Encode(" cat").Select(gpt2.Piece));
        var emoji = gpt2.Encode("😀"); // 4 bytes, not one GPT-2 token
        Assert.True(emoji.Length > 1);
        Assert.All(emoji, id => Assert.StartsWith("⟨", gpt2.Piece(id)));
        Assert.Equal("😀", gpt2.Decode(emoji));
    }

    [Fact]
    public void Merging_lowers_the_token_count_on_the_training_text()
    {
        var text = BpeTrainerTests.Corpus(9, 5_000);
        var bytes = TextBytes.FromText(text).Length;
        var ids = Trained.Value.Encode(text).Length;
        Assert.True(ids < bytes / 2, $"{ids} tokens for {bytes} bytes");
    }
}
