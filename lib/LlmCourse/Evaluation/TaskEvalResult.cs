namespace LlmCourse.Evaluation;

/// <summary>One item's outcome in a task eval.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Prompt">What was asked.</param>
/// <param name="Expected">The reference answer.</param>
/// <param name="Answer">What the answerer said.</param>
/// <param name="Correct">The scorer's verdict.</param>
public sealed record TaskEvalRow(string Id, string Prompt, string Expected, string Answer, bool Correct);

/// <summary>The outcome of <see cref="TaskEval.Run(string, IReadOnlyList{TaskItem}, Answerer, TaskScorer, int, Action{TaskEvalRow})"/>: accuracy, its interval, and the rows.</summary>
/// <param name="Name">The eval's name.</param>
/// <param name="Scorer">The scorer's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Rows">One row per item, in the set's order. In a notebook, displaying them shows a table.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record TaskEvalResult(string Name, string Scorer, int Seed, IReadOnlyList<TaskEvalRow> Rows, TimeSpan Elapsed)
{
    /// <summary>Items scored right.</summary>
    public int Correct => Rows.Count(r => r.Correct);

    /// <summary>Items scored.</summary>
    public int Total => Rows.Count;

    /// <summary>Correct / Total.</summary>
    public double Accuracy => (double)Correct / Total;

    /// <summary>95 % Wilson interval of the accuracy.</summary>
    public ConfidenceInterval Interval => ConfidenceInterval.Wilson(Correct, Total);

    /// <summary>The same eval restricted to the items whose id passes <paramref name="keep"/> (e.g. the uncontaminated ones).</summary>
    /// <exception cref="ArgumentException">No item passes: an accuracy over zero items means nothing.</exception>
    public TaskEvalResult Where(Func<string, bool> keep, string? name = null)
    {
        var rows = Rows.Where(r => keep(r.Id)).ToList();
        if (rows.Count == 0)
            throw new ArgumentException($"No item of '{Name}' passes the filter, so there is no accuracy to report.", nameof(keep));
        return this with { Name = name ?? Name, Rows = rows };
    }

    /// <summary>The rows as a table (id, expected, answer, ✓/✗), at most <paramref name="maxRows"/> of them; wrong answers first when <paramref name="wrongFirst"/>.</summary>
    public string ToTable(int maxRows = 20, bool wrongFirst = false)
    {
        var rows = wrongFirst ? Rows.OrderBy(r => r.Correct).ToList() : Rows.ToList();
        var table = TextTable.Render(["id", "expected", "answer", "ok"],
            rows.Take(maxRows).Select(r => (IReadOnlyList<string>)[r.Id, r.Expected, r.Answer, r.Correct ? "✓" : "✗"]));
        return rows.Count > maxRows ? table + $"({rows.Count - maxRows} more rows)\n" : table;
    }

    /// <summary>Several results side by side: eval, scorer, correct/total, accuracy, 95 % interval.</summary>
    public static string Summary(IEnumerable<TaskEvalResult> results) =>
        TextTable.Render(["eval", "scorer", "correct", "accuracy", "95% interval"],
            results.Select(r => (IReadOnlyList<string>)[r.Name, r.Scorer, $"{r.Correct}/{r.Total}",
                FormattableString.Invariant($"{r.Accuracy:P1}"), r.Interval.ToString()]),
            rightAligned: new HashSet<int> { 2, 3 });

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{Name} ({Scorer}): {Correct}/{Total} = {Accuracy:P1}, 95% interval {Interval}");
}
