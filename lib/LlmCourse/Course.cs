namespace LlmCourse;

/// <summary>
/// Course-wide settings every notebook and test shares: where the repository is, whether quick mode is on,
/// and the default seed. Nothing here touches TorchSharp, so it is safe to call before native loading.
/// </summary>
public static class Course
{
    /// <summary>Environment variable that turns quick mode on ("1") or off ("0"). Tests set it; students never need to.</summary>
    public const string QuickModeVariable = "LLMCOURSE_QUICK";

    /// <summary>Environment variable that overrides where the repository root is (normally found by walking up to LlmCourse.sln).</summary>
    public const string RootVariable = "LLMCOURSE_ROOT";

    /// <summary>The seed every notebook starts from, so two runs print the same numbers.</summary>
    public const int DefaultSeed = 1337;

    /// <summary>
    /// True when <c>LLMCOURSE_QUICK</c> asks for quick mode: every notebook shrinks its steps and sizes to run in seconds.
    /// Accepts 1/0, true/false, yes/no, on/off (any case); unset or empty means full mode.
    /// </summary>
    /// <exception cref="ArgumentException">The variable holds anything else.</exception>
    public static bool Quick => ParseQuickMode(Environment.GetEnvironmentVariable(QuickModeVariable));

    /// <summary>Picks the full-mode or the quick-mode value of a setting: <c>Course.Pick(full: 3000, quick: 40)</c>.</summary>
    public static T Pick<T>(T full, T quick) => Quick ? quick : full;

    /// <summary>Parses a quick-mode value; exposed for tests.</summary>
    public static bool ParseQuickMode(string? value)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "0" or "false" or "no" or "off":
                return false;
            case "1" or "true" or "yes" or "on":
                return true;
            default:
                throw new ArgumentException(
                    $"{QuickModeVariable}='{value}' is not a quick-mode value. " +
                    $"Use {QuickModeVariable}=1 for quick mode, {QuickModeVariable}=0 (or unset it) for the full course.");
        }
    }

    private static string? root;

    /// <summary>
    /// The repository root: <c>LLMCOURSE_ROOT</c> if set, else the first folder holding <c>LlmCourse.sln</c> above the
    /// current directory or above this assembly.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder was found.</exception>
    public static string Root => root ??= FindRoot();

    /// <summary>The <c>data/</c> folder (corpus, datasets, checkpoints).</summary>
    public static string DataDir => Path.Combine(Root, "data");

    /// <summary>The ignored <c>artifacts/</c> folder for executed notebooks, exports and scratch files; created on demand.</summary>
    public static string ArtifactsDir => Directory.CreateDirectory(Path.Combine(Root, "artifacts")).FullName;

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (!File.Exists(Path.Combine(fromEnv, "LlmCourse.sln")))
                throw new DirectoryNotFoundException(
                    $"{RootVariable}='{fromEnv}' does not hold LlmCourse.sln. Point it at the course's repository folder or unset it.");
            return Path.GetFullPath(fromEnv);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Course).Assembly.Location) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "LlmCourse.sln")))
                    return dir.FullName;
        }
        throw new DirectoryNotFoundException(
            $"Could not find the course folder (the one holding LlmCourse.sln) above '{Directory.GetCurrentDirectory()}'. " +
            $"Run from inside the repository, or set {RootVariable} to its path.");
    }
}
