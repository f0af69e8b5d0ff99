namespace LlmCourse.Notebooks;

/// <summary>
/// The plotly.js that Plotly.NET carries inside its DLL (2.28 for Plotly.NET 6), so exported pages draw their charts
/// without a network.
/// </summary>
public static class PlotlyJs
{
    private static readonly Lazy<string> Script = new(Load);

    /// <summary>The minified plotly.js source.</summary>
    public static string Source => Script.Value;

    private static string Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .SingleOrDefault(n => n.Contains("plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{assembly.GetName()} no longer embeds plotly-*.min.js; the HTML export needs another source for plotly.js.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
