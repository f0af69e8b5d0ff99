namespace LlmCourse.Notebooks;

/// <summary>The two preparations a fresh clone needs before notebooks run: the pinned tools, and the built helper library.</summary>
public static class DotnetCommands
{
    /// <summary>Restores the tools pinned in <c>.config/dotnet-tools.json</c> (dotnet-repl, dotnet-interactive).</summary>
    /// <exception cref="InvalidOperationException">The restore failed; the message holds its output.</exception>
    public static TimeSpan RestoreTools(RepoLayout repo) =>
        RunOrThrow(repo, ["tool", "restore"], "restore the notebook tools (dotnet tool restore)");

    /// <summary>Builds lib/LlmCourse in Debug, where the shared setup's <c>#r</c> looks for it.</summary>
    /// <exception cref="InvalidOperationException">The build failed; the message holds its output.</exception>
    public static TimeSpan BuildLibrary(RepoLayout repo) =>
        RunOrThrow(repo, ["build", repo.LibProject, "-c", "Debug", "-nologo", "-v", "quiet"], "build the helper library (dotnet build lib/LlmCourse)");

    private static TimeSpan RunOrThrow(RepoLayout repo, string[] arguments, string what)
    {
        var result = ChildProcess.Run(ChildProcess.Dotnet, arguments, repo.Root, null, TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"Could not {what}: exit code {result.ExitCode}.\n{result.Output.Trim()}");
        return result.Elapsed;
    }
}
