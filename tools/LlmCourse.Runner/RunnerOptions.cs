namespace LlmCourse.Runner;

/// <summary>The runner's command line.</summary>
/// <param name="Quick">Run in quick mode (<c>LLMCOURSE_QUICK=1</c>): small sizes, few steps.</param>
/// <param name="Only">Name prefixes of the notebooks to run (all when empty).</param>
/// <param name="TimeoutMinutes">Time limit per notebook.</param>
/// <param name="Twice">Run each notebook twice over in one kernel (checks that re-running cells is safe).</param>
internal sealed record RunnerOptions(bool Quick, IReadOnlyList<string> Only, double TimeoutMinutes, bool Twice = false)
{
    public const string Usage = """
        Runs every course notebook in the real .NET Interactive kernel, in name order, and writes executed notebooks and
        HTML pages (plots included, viewable offline) to artifacts/course/.

        usage: dotnet run --project tools/LlmCourse.Runner -- [--quick] [--only 01a,02] [--timeout-minutes 120] [--twice]
          --quick              quick mode (LLMCOURSE_QUICK=1): every notebook in seconds; default is the full course
          --only A,B           only the notebooks whose names start with A or B
          --timeout-minutes N  kill a notebook's kernel after N minutes (default 120)
          --twice              run each notebook top to bottom twice in one kernel (re-running must be safe; the tests do this)
        """;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a missing value; the message says which.</exception>
    public static RunnerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunnerOptions(false, [], 120);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--twice" => options with { Twice = true },
                "--only" => options with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--timeout-minutes" => double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0
                    ? options with { TimeoutMinutes = m }
                    : throw new ArgumentException("--timeout-minutes needs a positive number of minutes."),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        return options;
    }
}
