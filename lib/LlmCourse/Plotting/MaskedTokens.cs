using System.Net;
using System.Text;
using LlmCourse.Tokenization;

namespace LlmCourse.Plotting;

/// <summary>
/// Shows a token sequence with a per-token flag, e.g. the SFT loss mask: flagged tokens as green chips (they count in
/// the loss: the model is graded on predicting them), the rest grey (the model reads them but is not graded). Each
/// chip carries its id; special tokens such as <c>&lt;|user|&gt;</c> are shown by name.
/// </summary>
public static class MaskedTokens
{
    /// <summary>HTML chips for <paramref name="ids"/> coloured by <paramref name="flags"/>, with a legend.</summary>
    /// <exception cref="ArgumentException">The two arrays differ in length.</exception>
    public static string Html(ITokenizer tokenizer, IReadOnlyList<int> ids, IReadOnlyList<bool> flags,
        string flaggedLabel = "in the loss", string otherLabel = "context only")
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (ids.Count != flags.Count)
            throw new ArgumentException($"{ids.Count} ids but {flags.Count} flags: give one flag per token.", nameof(flags));
        const string On = "#b7e4c7", Off = "#e9ecef";
        var html = new StringBuilder("<div style=\"font-family:monospace;line-height:2.6;margin:4px 0\">");
        html.Append($"<span style=\"background:{On};padding:0 4px;border-radius:4px\">{WebUtility.HtmlEncode(flaggedLabel)}: {flags.Count(f => f)}</span> ")
            .Append($"<span style=\"background:{Off};padding:0 4px;border-radius:4px\">{WebUtility.HtmlEncode(otherLabel)}: {flags.Count(f => !f)}</span><br/>");
        for (var i = 0; i < ids.Count; i++)
        {
            var piece = WebUtility.HtmlEncode(TokenLabels.Show(tokenizer.Piece(ids[i])));
            html.Append($"<span style=\"display:inline-block;text-align:center;background:{(flags[i] ? On : Off)};")
                .Append("border-radius:4px;padding:0 4px;margin:1px;line-height:1.3\">")
                .Append($"{piece}<br/><small style=\"color:#555\">{ids[i]}</small></span>");
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>
    /// The same as text, tokens separated by spaces (a space inside a token shows as ␣), flagged tokens in [brackets]:
    /// <c>&lt;|user|&gt; Hi &lt;|end|&gt; &lt;|assistant|&gt; [Hello] [&lt;|end|&gt;]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The two arrays differ in length.</exception>
    public static string Text(ITokenizer tokenizer, IReadOnlyList<int> ids, IReadOnlyList<bool> flags)
    {
        if (ids.Count != flags.Count)
            throw new ArgumentException($"{ids.Count} ids but {flags.Count} flags: give one flag per token.", nameof(flags));
        return string.Join(" ", ids.Select((id, i) => flags[i] ? $"[{TokenLabels.Show(tokenizer.Piece(id))}]" : TokenLabels.Show(tokenizer.Piece(id))));
    }
}
