namespace LlmCourse.Tests.Notebooks;

/// <summary>
/// A test that needs Jupyter's nbconvert. Skipped, with the reason, on a machine without it, except under CI
/// (<c>CI=true</c>), where a missing Jupyter must fail the run rather than let the Jupyter path go untested.
/// </summary>
public sealed class JupyterFactAttribute : FactAttribute
{
    /// <summary>The Debian packages that bring Jupyter's notebook executor (what .ci/run installs).</summary>
    public const string AptPackages = "jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-core";

    public JupyterFactAttribute()
    {
        if (!Available && !RunningInCi)
            Skip = $"jupyter nbconvert is not on PATH; install it (Debian: apt-get install {AptPackages}) to run this test.";
    }

    public static bool RunningInCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when both <c>jupyter</c> and its <c>nbconvert</c> subcommand are on PATH.</summary>
    public static bool Available => OnPath("jupyter") && OnPath("jupyter-nbconvert");

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
