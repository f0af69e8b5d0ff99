namespace LlmCourse.Evaluation;

/// <summary>
/// What a model can do at one moment: its held-out pretraining perplexity and its accuracy on some tasks. Take one
/// before and one after pulling a lever (fine-tuning, quantizing, pruning) and compare them in a <see cref="ForgettingReport"/>.
/// </summary>
/// <param name="Label">e.g. "base" or "after SFT".</param>
/// <param name="HeldOut">Perplexity on held-out pretraining text (the corpus's validation chapters).</param>
/// <param name="Tasks">Task results, matched between snapshots by <see cref="TaskEvalResult.Name"/>.</param>
public sealed record EvalSnapshot(string Label, PerplexityResult HeldOut, IReadOnlyList<TaskEvalResult> Tasks)
{
    /// <summary>
    /// Measures a model: perplexity on <paramref name="heldOutText"/> and every task, answered by
    /// <see cref="ModelAnswerers.Create"/> with <paramref name="generation"/>.
    /// </summary>
    /// <param name="label">e.g. "base".</param>
    /// <param name="model">The model as it is now.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="heldOutText">Text the lever did not train on, e.g. a slice of <c>Corpus.Austen.Validation</c>.</param>
    /// <param name="tasks">The task evals.</param>
    /// <param name="generation">Decoding for the tasks; null = greedy (<see cref="ModelAnswerers.DefaultOptions"/>).</param>
    /// <param name="perplexity">Perplexity options; null = the defaults.</param>
    /// <param name="seed">Seed of the task runs.</param>
    public static EvalSnapshot Measure(string label, Model.GptModel model, Tokenization.ITokenizer tokenizer, string heldOutText, IEnumerable<EvalTask> tasks,
        Generation.GenerationOptions? generation = null, PerplexityOptions? perplexity = null, int seed = Course.DefaultSeed)
    {
        var answer = ModelAnswerers.Create(model, tokenizer, generation);
        return new EvalSnapshot(label, Perplexity.Measure(model, tokenizer, heldOutText, perplexity), tasks.Select(t => t.Run(answer, seed)).ToList());
    }
}

/// <summary>One line of a <see cref="ForgettingReport"/>.</summary>
/// <param name="Metric">What was measured, e.g. "held-out bits/byte" or "accuracy: capitalise".</param>
/// <param name="Before">Value before the lever.</param>
/// <param name="After">Value after.</param>
/// <param name="HigherIsBetter">True for accuracies, false for losses.</param>
/// <param name="Significant">For accuracies: true when the two 95 % intervals do not overlap (a rough but honest test). For losses: null.</param>
public sealed record ForgettingRow(string Metric, double Before, double After, bool HigherIsBetter, bool? Significant)
{
    /// <summary>After − before.</summary>
    public double Change => After - Before;

    /// <summary>True when the metric moved the wrong way.</summary>
    public bool Worse => HigherIsBetter ? After < Before : After > Before;
}

/// <summary>
/// Before/after report for any lever: did the model gain on the tasks the lever targeted, and what did it lose
/// elsewhere? Forgetting shows as held-out pretraining perplexity going up and untargeted task accuracy going down.
/// </summary>
/// <remarks>
/// The hole: it only sees what it measures. A fine-tune can keep perplexity on Austen and still lose an ability no
/// task here checks, and a change on a 20-item task is often inside the noise (see <see cref="ForgettingRow.Significant"/>).
/// </remarks>
public sealed record ForgettingReport
{
    /// <summary>Compares two snapshots, checking that they measured the same things.</summary>
    /// <param name="lever">What was done, e.g. "SFT, 300 steps" or "int4 GPTQ".</param>
    /// <param name="before">The snapshot before.</param>
    /// <param name="after">The snapshot after.</param>
    /// <exception cref="ArgumentException">The snapshots hold different tasks, or a task twice.</exception>
    public ForgettingReport(string lever, EvalSnapshot before, EvalSnapshot after)
    {
        var beforeNames = TaskNames(before);
        var afterNames = TaskNames(after);
        if (!beforeNames.SetEquals(afterNames))
            throw new ArgumentException(
                $"'{before.Label}' measured tasks [{string.Join(", ", beforeNames.Order())}] but '{after.Label}' measured [{string.Join(", ", afterNames.Order())}]: " +
                "run the same task evals (same names) before and after the lever.", nameof(after));
        Lever = lever;
        Before = before;
        After = after;
    }

    /// <summary>What was done.</summary>
    public string Lever { get; }

    /// <summary>The snapshot before.</summary>
    public EvalSnapshot Before { get; }

    /// <summary>The snapshot after.</summary>
    public EvalSnapshot After { get; }

    /// <summary>One row per metric: held-out perplexity and bits per byte, then each task's accuracy.</summary>
    public IReadOnlyList<ForgettingRow> Rows
    {
        get
        {
            var rows = new List<ForgettingRow>
            {
                new("held-out perplexity", Before.HeldOut.Perplexity, After.HeldOut.Perplexity, false, null),
                new("held-out bits/byte", Before.HeldOut.BitsPerByte, After.HeldOut.BitsPerByte, false, null),
            };
            foreach (var task in Before.Tasks)
            {
                var later = After.Tasks.Single(t => t.Name == task.Name);
                var overlap = task.Interval.Low <= later.Interval.High && later.Interval.Low <= task.Interval.High;
                rows.Add(new ForgettingRow($"accuracy: {task.Name}", task.Accuracy, later.Accuracy, true, !overlap));
            }
            return rows;
        }
    }

    /// <summary>The rows as a table: metric, before, after, change, and a mark on metrics that got worse.</summary>
    public string ToTable() =>
        $"{Lever}: {Before.Label} → {After.Label}\n" +
        TextTable.Render(["metric", Before.Label, After.Label, "change", ""],
            Rows.Select(r => (IReadOnlyList<string>)[r.Metric, Format(r, r.Before), Format(r, r.After),
                r.HigherIsBetter ? FormattableString.Invariant($"{r.Change * 100:+0.0;-0.0;0.0} pts") : FormattableString.Invariant($"{r.Change:+0.000;-0.000;0.000}"),
                (r.Worse ? "worse" : r.Change == 0 ? "" : "better") + (r.Significant == true ? " (beyond noise)" : r.Significant == false && r.Change != 0 ? " (within noise)" : "")]),
            rightAligned: new HashSet<int> { 1, 2, 3 });

    /// <inheritdoc/>
    public override string ToString() => ToTable();

    private static string Format(ForgettingRow row, double value) =>
        row.HigherIsBetter ? FormattableString.Invariant($"{value:P1}") : FormattableString.Invariant($"{value:F3}");

    private static HashSet<string> TaskNames(EvalSnapshot snapshot)
    {
        var names = new HashSet<string>();
        foreach (var task in snapshot.Tasks)
            if (!names.Add(task.Name))
                throw new ArgumentException($"'{snapshot.Label}' holds two task results named '{task.Name}': give each eval its own name.", nameof(snapshot));
        return names;
    }
}
