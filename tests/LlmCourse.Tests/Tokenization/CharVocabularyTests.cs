using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class CharVocabularyTests
{
    [Fact]
    public void Ids_follow_code_point_order_and_round_trip()
    {
        var vocabulary = CharVocabulary.FromText("banana split\n");
        Assert.Equal(['\n', ' ', 'a', 'b', 'i', 'l', 'n', 'p', 's', 't'], vocabulary.Chars);
        Assert.Equal([3, 2, 6, 2], vocabulary.Encode("bana"));
        Assert.Equal("split\n", vocabulary.Decode(vocabulary.Encode("split\n")));
    }

    [Fact]
    public void Unknown_character_names_itself()
    {
        var vocabulary = CharVocabulary.FromText("abc");
        var error = Assert.Throws<KeyNotFoundException>(() => vocabulary.Encode("abz"));
        Assert.Contains("'z'", error.Message);
    }
}
