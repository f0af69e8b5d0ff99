namespace LlmCourse.Plotting;

/// <summary>Makes tokens readable on a chart axis, where a space or a newline would otherwise be an invisible label.</summary>
public static class TokenLabels
{
    /// <summary>
    /// The token with whitespace made visible: space → "␣", newline → "↵", tab → "⇥"; other control characters
    /// as \uXXXX. An empty token shows as "∅".
    /// </summary>
    public static string Show(string token)
    {
        if (token.Length == 0) return "∅";
        var builder = new System.Text.StringBuilder(token.Length);
        foreach (var c in token)
            builder.Append(c switch
            {
                ' ' => "␣",
                '\n' => "↵",
                '\t' => "⇥",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return builder.ToString();
    }

    /// <summary>A single character as a label; see <see cref="Show(string)"/>.</summary>
    public static string Show(char c) => Show(c.ToString());
}
