using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class Gpt2PreTokenizerTests
{
    [Theory]
    [InlineData("I'm here!", new[] { "I", "'m", " here", "!" })]
    [InlineData("Hello  world", new[] { "Hello", " ", " world" })]
    [InlineData("a   \n\nb", new[] { "a", "   \n", "\n", "b" })]
    [InlineData("year 1811, aged 19.", new[] { "year", " 1811", ",", " aged", " 19", "." })]
    [InlineData("they'LL go", new[] { "they", "'", "LL", " go" })] // contractions are lower case only
    [InlineData("end  ", new[] { "end", "  " })]
    public void Cuts_like_gpt2(string text, string[] chunks) => Assert.Equal(chunks, Gpt2PreTokenizer.Split(text));

    [Fact]
    public void Chunks_cover_the_text_exactly()
    {
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var text = RandomText.AnyChars(random, random.Next(0, 50));
            Assert.Equal(text, string.Concat(Gpt2PreTokenizer.Split(text)));
        }
    }
}
