using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void Every_byte_gets_its_own_printable_non_space_character()
    {
        var chars = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ToChar((byte)b)).ToList();
        Assert.Equal(256, chars.Distinct().Count());
        Assert.All(chars, c => Assert.False(char.IsWhiteSpace(c) || char.IsControl(c), $"U+{(int)c:X4}"));
    }

    [Fact]
    public void Matches_gpt2s_table_on_the_famous_cases()
    {
        Assert.Equal('Ġ', ByteLevelAlphabet.ToChar((byte)' '));   // U+0120
        Assert.Equal('Ċ', ByteLevelAlphabet.ToChar((byte)'\n'));  // U+010A
        Assert.Equal('Ā', ByteLevelAlphabet.ToChar(0));            // the first moved byte goes to U+0100
        Assert.Equal('a', ByteLevelAlphabet.ToChar((byte)'a'));
        Assert.Equal('é', ByteLevelAlphabet.ToChar(0xE9));         // printable Latin-1 stays
        Assert.Equal("Ġthe", ByteLevelAlphabet.Encode(" the"u8));
    }

    [Fact]
    public void Decoding_inverts_encoding_and_rejects_foreign_characters()
    {
        var all = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        Assert.True(ByteLevelAlphabet.TryDecode(ByteLevelAlphabet.Encode(all), out var back));
        Assert.Equal(all, back);
        Assert.False(ByteLevelAlphabet.TryDecode("a b", out _)); // a real space is not in the table
        Assert.False(ByteLevelAlphabet.TryDecode("日", out _));
    }
}
