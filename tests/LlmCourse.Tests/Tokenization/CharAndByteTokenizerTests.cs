using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class CharAndByteTokenizerTests
{
    [Fact]
    public void Char_vocabulary_is_the_sorted_distinct_characters()
    {
        var chars = CharTokenizer.FromText("hello 😀 world");
        Assert.Equal([" ", "d", "e", "h", "l", "o", "r", "w", "😀"], chars.Characters);
        Assert.Equal([3, 2, 4, 4, 5], chars.Encode("hello"));
        Assert.Single(chars.Encode("😀")); // one code point, one id, though it is two UTF-16 units
        Assert.Equal("world 😀", chars.Decode(chars.Encode("world 😀")));
    }

    [Fact]
    public void Char_round_trip_on_random_text_from_its_own_vocabulary()
    {
        var random = new Random(14);
        var source = string.Concat(Enumerable.Range(0, 50).Select(_ => RandomText.Mixed(random, 20))).Replace("\uD800", "").Replace("\uDFFF", "").Replace("\uDBFF", "");
        var chars = CharTokenizer.FromText(source, specials: [Specials.EndOfText]);
        Assert.Equal(source, chars.Decode(chars.Encode(source)));
    }

    [Fact]
    public void Unknown_character_is_an_error_naming_it()
    {
        var chars = CharTokenizer.FromText("abc");
        var error = Assert.Throws<ArgumentException>(() => chars.Encode("abz"));
        Assert.Contains("'z' (U+007A) at position 2", error.Message);
        Assert.Contains("unknownToken", error.Message);
        Assert.Contains("lone surrogate", Assert.Throws<ArgumentException>(() => chars.Encode("a\uD800")).Message);
    }

    [Fact]
    public void Unknown_character_becomes_the_unknown_token_when_asked()
    {
        var chars = CharTokenizer.FromText("abc", unknownToken: "<unk>");
        var unk = chars.SpecialTokens["<unk>"];
        Assert.Equal(3, unk);
        Assert.Equal([0, unk, 2, unk], chars.Encode("az c\uD800".Replace(" ", "")));
        Assert.Equal("a<unk>", chars.Decode([0, unk]));
    }

    [Fact]
    public void Char_vocabulary_cannot_be_built_from_a_lone_surrogate()
    {
        Assert.Throws<ArgumentException>(() => CharTokenizer.FromText("ok\uDC00"));
    }

    [Fact]
    public void Char_decode_out_of_range_names_id_and_size()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CharTokenizer.FromText("abc").Decode([7]));
        Assert.Contains("Token id 7", error.Message);
        Assert.Contains("size 3", error.Message);
    }

    [Fact]
    public void Bytes_round_trip_any_byte_sequence()
    {
        var random = new Random(15);
        var bytes = new ByteTokenizer();
        for (var i = 0; i < 200; i++)
        {
            var raw = new byte[random.Next(0, 100)];
            random.NextBytes(raw);
            var ids = ByteTokenizer.EncodeBytes(raw);
            Assert.All(ids, id => Assert.InRange(id, 0, 255));
            Assert.Equal(raw, bytes.DecodeBytes(ids));
        }
    }

    [Fact]
    public void Bytes_round_trip_any_string_and_keep_specials_whole()
    {
        var random = new Random(16);
        var bytes = new ByteTokenizer([Specials.EndOfText]);
        Assert.Equal(257, bytes.VocabularySize);
        for (var i = 0; i < 300; i++)
        {
            var text = RandomText.AnyChars(random, random.Next(0, 40));
            Assert.Equal(text, bytes.Decode(bytes.Encode(text)));
        }
        Assert.Equal(['a', 256, 'b'], bytes.Encode("a<|endoftext|>b"));
        Assert.Equal(3, bytes.Encode("日").Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => bytes.Decode([257]));
    }
}
