using System.Text;
using System.Text.RegularExpressions;

namespace LlmCourse.Notebooks;

/// <summary>
/// Counts how many cells dotnet-repl has started, by reading the log it writes with <c>--log-path</c>. Each top-level cell
/// logs one "KernelInvocationContext ▶ SubmitCode" line whose token has no ".n" suffix (cells run by <c>#!import</c> get
/// suffixed child tokens). Cheap, and only used for the progress display: if the log format changes, progress shows 0.
/// </summary>
public sealed partial class ReplLogWatcher(string logDirectory)
{
    private readonly Dictionary<string, long> positions = [];
    private readonly StringBuilder pending = new();

    /// <summary>Cells started so far.</summary>
    public int CellsStarted { get; private set; }

    /// <summary>Reads what the log gained since the last call and returns <see cref="CellsStarted"/>.</summary>
    public int Poll()
    {
        if (!Directory.Exists(logDirectory))
            return CellsStarted;
        foreach (var file in Directory.GetFiles(logDirectory, "*.log").Order(StringComparer.Ordinal))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Position = positions.GetValueOrDefault(file);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                pending.Append(reader.ReadToEnd());
                positions[file] = stream.Position;
            }
            catch (IOException)
            {
                // The kernel is rotating or writing the file: try again at the next poll.
            }
        }
        CountCompleteLines();
        return CellsStarted;
    }

    /// <summary>Counts the cell starts in a piece of log text (exposed for tests).</summary>
    public static int CountCellStarts(string logText) => logText.Split('\n').Count(IsCellStart);

    private void CountCompleteLines()
    {
        var text = pending.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0)
            return;
        CellsStarted += CountCellStarts(text[..end]);
        pending.Remove(0, end + 1);
    }

    private static bool IsCellStart(string line) =>
        line.Contains("[KernelInvocationContext] [KernelInvocationContext]", StringComparison.Ordinal)
        && line.Contains("SubmitCode", StringComparison.Ordinal)
        && RootToken().IsMatch(line);

    [GeneratedRegex(@"\(Token: [A-Za-z0-9+/=]+,")]
    private static partial Regex RootToken();
}
