using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class ReferenceTokenizerTests
{
    [Fact]
    public void The_three_reference_tokenizers_have_their_published_sizes()
    {
        Assert.Equal(50257, ReferenceTokenizer.Gpt2.VocabularySize);
        Assert.Equal(100277, ReferenceTokenizer.Cl100kBase.VocabularySize);
        Assert.Equal(200019, ReferenceTokenizer.O200kBase.VocabularySize);
        Assert.Equal(50256, ReferenceTokenizer.Gpt2.SpecialTokens[Specials.EndOfText]);
    }

    [Fact]
    public void Bigger_vocabularies_need_fewer_tokens_for_the_same_text()
    {
        const string text = "Mr. Darcy's unhappiness was, in 1811, a matter of 日本 and 😀 for everyone.";
        var counts = new ITokenizer[] { new ByteTokenizer(), ReferenceTokenizer.Gpt2, ReferenceTokenizer.O200kBase }
            .Select(t => t.Encode(text).Length).ToArray();
        Assert.True(counts[0] > counts[1] && counts[1] > counts[2], string.Join(", ", counts));
    }

    [Fact]
    public void Adapters_round_trip_and_check_ids()
    {
        foreach (var t in new[] { ReferenceTokenizer.Gpt2, ReferenceTokenizer.Cl100kBase, ReferenceTokenizer.O200kBase })
        {
            const string text = "Hello, world! Привет 😀";
            Assert.Equal(text, t.Decode(t.Encode(text)));
            Assert.Equal(text, string.Concat(t.Encode("Hello, world!").Select(t.Piece)) + " Привет 😀"[..0] + text[13..]);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([t.VocabularySize]));
            Assert.Contains($"size {t.VocabularySize}", error.Message);
        }
    }

    [Fact]
    public void Special_policy_is_honoured_or_refused_clearly()
    {
        var gpt2 = ReferenceTokenizer.Gpt2;
        Assert.Equal([50256], gpt2.Encode(Specials.EndOfText));
        Assert.Throws<ArgumentException>(() => gpt2.Encode("x" + Specials.EndOfText, SpecialTokenPolicy.Reject));
        Assert.Throws<NotSupportedException>(() => gpt2.Encode("x", SpecialTokenPolicy.AsText));
    }
}
