using System.Net;
using System.Text;
using LlmCourse.Tokenization;

namespace LlmCourse.Plotting;

/// <summary>
/// Shows text the way a tokenizer cuts it: one coloured chip per token with its id underneath, so a student sees at
/// once where the cuts fall and which pieces are whole words. Whitespace is made visible (␣ ↵ ⇥).
/// </summary>
public static class TokenPieces
{
    private static readonly string[] Colours = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff"];

    /// <summary>
    /// HTML chips for <paramref name="text"/> under <paramref name="tokenizer"/>. In a notebook:
    /// <c>display(HTML(TokenPieces.Html(tokenizer, "Unhappiness")))</c>.
    /// </summary>
    public static string Html(ITokenizer tokenizer, string text, SpecialTokenPolicy specials = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = tokenizer.Encode(text, specials);
        var html = new StringBuilder();
        html.Append("<div style=\"font-family:monospace;line-height:2.6;margin:4px 0\">");
        html.Append($"<b>{WebUtility.HtmlEncode(tokenizer.Name)}</b> · {ids.Length} tokens<br/>");
        for (var i = 0; i < ids.Length; i++)
        {
            var piece = WebUtility.HtmlEncode(TokenLabels.Show(tokenizer.Piece(ids[i])));
            html.Append($"<span style=\"display:inline-block;text-align:center;background:{Colours[i % Colours.Length]};")
                .Append("border-radius:4px;padding:0 4px;margin:1px;line-height:1.3\">")
                .Append($"{piece}<br/><small style=\"color:#555\">{ids[i]}</small></span>");
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>The pieces joined by '|', e.g. <c>Un|h|appiness</c>, for printing in a table.</summary>
    public static string Text(ITokenizer tokenizer, string text, SpecialTokenPolicy specials = SpecialTokenPolicy.Allow)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return string.Join("|", tokenizer.Encode(text, specials).Select(id => TokenLabels.Show(tokenizer.Piece(id))));
    }
}
