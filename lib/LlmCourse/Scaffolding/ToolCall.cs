namespace LlmCourse.Scaffolding;

/// <summary>
/// A tool call found in a model's text, e.g. <c>calc(12*7)</c>: the tool's name, the text between the parentheses,
/// and where the call sits in the text.
/// </summary>
/// <param name="Name">The tool's name, e.g. "calc".</param>
/// <param name="Argument">The text between the parentheses (nested parentheses included), e.g. "12*7".</param>
/// <param name="Start">Index of the name's first character in the searched text.</param>
/// <param name="End">Index just past the closing parenthesis, or the text's length when the call is not closed.</param>
/// <param name="Closed">False when the text ended before the closing parenthesis: a malformed call.</param>
public sealed record ToolCall(string Name, string Argument, int Start, int End, bool Closed)
{
    /// <summary>The call as written, e.g. <c>calc(12*7)</c>.</summary>
    public string Text => $"{Name}({Argument}{(Closed ? ")" : "")}";

    /// <summary>
    /// The first call in <paramref name="text"/> to one of <paramref name="toolNames"/>: a name not preceded by a
    /// letter, digit or underscore, directly followed by "(". Other words before a parenthesis are ordinary text.
    /// Returns null when there is none.
    /// </summary>
    public static ToolCall? FindFirst(string text, IEnumerable<string> toolNames)
    {
        ToolCall? first = null;
        foreach (var name in toolNames)
        {
            var from = 0;
            while (from < text.Length)
            {
                var at = text.IndexOf(name + "(", from, StringComparison.Ordinal);
                if (at < 0)
                    break;
                from = at + 1;
                if (at > 0 && (char.IsLetterOrDigit(text[at - 1]) || text[at - 1] == '_'))
                    continue; // "recalc(" is not a call to calc
                if (first is null || at < first.Start)
                    first = Read(text, name, at);
                break;
            }
        }
        return first;
    }

    private static ToolCall Read(string text, string name, int start)
    {
        var open = start + name.Length;
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')' && --depth == 0)
                return new ToolCall(name, text[(open + 1)..i], start, i + 1, Closed: true);
            else if (text[i] == '\n')
                return new ToolCall(name, text[(open + 1)..i], start, i, Closed: false); // a call is one line
        }
        return new ToolCall(name, text[(open + 1)..], start, text.Length, Closed: false);
    }
}
