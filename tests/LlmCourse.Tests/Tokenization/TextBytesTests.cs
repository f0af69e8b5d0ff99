using System.Text;
using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Tokenization;

public class TextBytesTests
{
    [Fact]
    public void Valid_text_becomes_standard_utf8()
    {
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var text = RandomText.Mixed(random, 10).Replace("\uD800", "").Replace("\uDFFF", "").Replace("\uDBFF", "");
            Assert.Equal(Encoding.UTF8.GetBytes(text), TextBytes.FromText(text));
        }
    }

    [Fact]
    public void Lone_surrogate_becomes_its_three_byte_form()
    {
        Assert.Equal([0xED, 0xA0, 0x80], TextBytes.FromText("\uD800"));
        Assert.Equal([0x61, 0xED, 0xBF, 0xBF, 0x62], TextBytes.FromText("a\uDFFFb"));
        // A high surrogate followed by another high surrogate: the first is lone.
        Assert.Equal([0xED, 0xA0, 0xBD, 0xF0, 0x9F, 0x98, 0x80], TextBytes.FromText("\uD83D\uD83D\uDE00"));
    }

    [Fact]
    public void Any_string_survives_the_round_trip()
    {
        var random = new Random(2);
        for (var i = 0; i < 2000; i++)
        {
            var text = RandomText.AnyChars(random, random.Next(0, 30));
            Assert.Equal(text, TextBytes.ToText(TextBytes.FromText(text)));
        }
    }

    [Fact]
    public void Broken_bytes_decode_to_one_replacement_character_each()
    {
        Assert.Equal("\uFFFD\uFFFDa", TextBytes.ToText([0xE6, 0x97, 0x61])); // a 3-byte character cut after 2 bytes
        Assert.Equal("\uFFFD", TextBytes.ToText([0xFF]));
        Assert.Equal("\uFFFD\uFFFD", TextBytes.ToText([0xC0, 0x80])); // overlong encoding of NUL
    }
}
