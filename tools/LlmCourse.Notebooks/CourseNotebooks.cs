namespace LlmCourse.Notebooks;

/// <summary>Which notebooks make up the course: every <c>notebooks/*.ipynb</c> but the shared setup, in name order.</summary>
public static class CourseNotebooks
{
    /// <summary>The shared setup every notebook imports; it is not run on its own.</summary>
    public const string SetupName = "setup.ipynb";

    /// <summary>The first line of every course notebook's first code cell.</summary>
    public const string ImportSetupLine = "#!import setup.ipynb";

    /// <summary>Every notebook file in the folder (setup included), sorted by name; hidden files (a run's temporary copies) are not.</summary>
    public static IReadOnlyList<string> AllFiles(RepoLayout repo) =>
        Directory.Exists(repo.NotebooksDir)
            ? Directory.GetFiles(repo.NotebooksDir, "*.ipynb").Where(p => !Path.GetFileName(p).StartsWith('.'))
                .OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The course notebooks (setup excluded), in the order the course runs them.</summary>
    public static IReadOnlyList<string> Discover(RepoLayout repo) =>
        AllFiles(repo).Where(p => Path.GetFileName(p) != SetupName).ToList();

    /// <summary>
    /// Keeps the notebooks whose names start with one of <paramref name="prefixes"/> (e.g. "01a", "02"), in course order.
    /// </summary>
    /// <exception cref="ArgumentException">A prefix matches no notebook.</exception>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> notebooks, IReadOnlyCollection<string> prefixes)
    {
        if (prefixes.Count == 0)
            return notebooks;
        var unknown = prefixes.Where(p => !notebooks.Any(n => Path.GetFileName(n).StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException(
                $"No notebook name starts with {string.Join(", ", unknown.Select(u => $"'{u}'"))}. " +
                $"Known: {string.Join(", ", notebooks.Select(n => Path.GetFileNameWithoutExtension(n)))}.");
        return notebooks.Where(n => prefixes.Any(p => Path.GetFileName(n).StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList();
    }
}
