namespace LlmCourse.Bench;

/// <summary>Where benchmarks get their text: a path argument, else the course corpus.</summary>
internal static class BenchText
{
    public static (string Text, string Source) Load(string[] args)
    {
        var path = args.Length > 0 ? args[0] : Path.Combine(Course.DataDir, "austen.txt");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No text at '{path}'. Pass a text file as the first argument, or add the corpus (data/austen.txt).", path);
        return (File.ReadAllText(path), path);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
