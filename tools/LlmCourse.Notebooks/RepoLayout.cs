namespace LlmCourse.Notebooks;

/// <summary>Where things are in the course repository, as the notebook tools see it.</summary>
/// <param name="Root">The folder holding <c>LlmCourse.sln</c>.</param>
public sealed record RepoLayout(string Root)
{
    /// <summary>The notebooks folder (all notebooks sit at this one depth).</summary>
    public string NotebooksDir => Path.Combine(Root, "notebooks");

    /// <summary>The ignored folder for executed notebooks, exports and logs.</summary>
    public string ArtifactsDir => Path.Combine(Root, "artifacts");

    /// <summary>The helper library's project file.</summary>
    public string LibProject => Path.Combine(Root, "lib", "LlmCourse", "LlmCourse.csproj");

    /// <summary>The helper library as the shared setup references it (<c>#r "../lib/LlmCourse/bin/Debug/net10.0/LlmCourse.dll"</c>).</summary>
    public string LibAssembly => Path.Combine(Root, "lib", "LlmCourse", "bin", "Debug", "net10.0", "LlmCourse.dll");

    /// <summary>Finds the repository above <paramref name="start"/> (default: the current directory, then this assembly's folder).</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above holds LlmCourse.sln.</exception>
    public static RepoLayout Find(string? start = null)
    {
        foreach (var from in new[] { start ?? Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "LlmCourse.sln")))
                    return new RepoLayout(dir.FullName);
        throw new DirectoryNotFoundException(
            $"No folder holding LlmCourse.sln above '{start ?? Directory.GetCurrentDirectory()}'. Run from inside the course repository.");
    }
}
