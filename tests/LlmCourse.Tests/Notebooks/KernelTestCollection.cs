using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>
/// Tests that start a real .NET Interactive kernel. They run one at a time, after the parallel tests: each kernel
/// wants both cores, and they share the kernel's package cache.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelTestCollection
{
    public const string Name = "Real .NET Interactive kernel";

    private static readonly Lazy<RepoLayout> Prepared = new(() =>
    {
        var repo = RepoLayout.Find();
        if (!File.Exists(repo.LibAssembly))
            throw new InvalidOperationException(
                $"{repo.LibAssembly} is missing: notebooks load the Debug build of lib/LlmCourse. Run `dotnet build` (or `dotnet test` without -c Release).");
        DotnetCommands.RestoreTools(repo); // about a second when already restored; makes `dotnet test` alone work on a fresh clone
        return repo;
    });

    /// <summary>The repository, with the notebook tools restored and the helper library checked to be built.</summary>
    public static RepoLayout Repo => Prepared.Value;

    /// <summary>Where the tests' executed copies go (ignored by git).</summary>
    public static string OutputDirectory(string what) => Path.Combine(Repo.ArtifactsDir, "notebook-tests", what);
}
