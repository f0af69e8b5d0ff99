using System.Diagnostics;
using System.Text;

namespace LlmCourse.Notebooks;

/// <summary>How a child process ended.</summary>
/// <param name="ExitCode">Its exit code (-1 when it was killed after the timeout).</param>
/// <param name="Output">Standard output and standard error, interleaved as they arrived.</param>
/// <param name="TimedOut">True when it was killed for running past its time limit.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ChildProcessResult(int ExitCode, string Output, bool TimedOut, TimeSpan Elapsed);

/// <summary>Runs a program with no standard input (as <c>&lt; /dev/null</c>), a time limit, and a cleaned environment.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Variables a parent <c>dotnet test</c> or <c>dotnet run</c> sets that would steer the child's own MSBuild (the kernel
    /// restores <c>#r "nuget:"</c> packages with it) toward the parent's SDK state.
    /// </summary>
    private static readonly string[] InheritedBuildVariablePrefixes = ["MSBuild", "MSBUILD", "VSTEST", "TESTINGPLATFORM"];

    /// <summary>The dotnet executable: the one running this process when the SDK says so, else <c>dotnet</c> on PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Runs <paramref name="program"/> and waits for it, killing its whole process tree after <paramref name="timeout"/>.</summary>
    /// <param name="program">The executable.</param>
    /// <param name="arguments">Its arguments, passed without shell quoting.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    /// <param name="timeout">The time limit.</param>
    /// <param name="whileRunning">Called about twice a second while the process runs (progress display); may be null.</param>
    public static ChildProcessResult Run(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, Action? whileRunning = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(k => InheritedBuildVariablePrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = false;
        while (!process.WaitForExit(500))
        {
            whileRunning?.Invoke();
            if (clock.Elapsed > timeout)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                break;
            }
        }
        process.WaitForExit(); // drains the redirected streams
        lock (output)
            return new ChildProcessResult(timedOut ? -1 : process.ExitCode, output.ToString(), timedOut, clock.Elapsed);
    }
}
