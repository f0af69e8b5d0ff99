using LlmCourse.Plotting;
using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Plotting;

public class TokenPiecesTests
{
    [Fact]
    public void Chips_show_each_piece_with_its_id_and_escape_html()
    {
        var gpt2 = BytePairTokenizer.Gpt2();
        var html = TokenPieces.Html(gpt2, "a <b> cat<|endoftext|>");
        var ids = gpt2.Encode("a <b> cat<|endoftext|>");
        Assert.Contains($"{ids.Length} tokens", html);
        Assert.All(ids, id => Assert.Contains($"<small style=\"color:#555\">{id}</small>", html));
        Assert.Contains("&lt;|endoftext|&gt;", html);
        Assert.DoesNotContain("<b> cat", html); // the text's own markup is escaped, never rendered
        Assert.Contains("␣cat", html);          // a leading space is made visible
    }

    [Fact]
    public void Text_joins_the_pieces_with_bars()
    {
        var chars = CharTokenizer.FromText("ab c");
        Assert.Equal("a|b|␣|c", TokenPieces.Text(chars, "ab c"));
        Assert.Equal("Un|h|appiness", TokenPieces.Text(BytePairTokenizer.Gpt2(), "Unhappiness"));
    }
}
