using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class ForgettingReportTests
{
    private static PerplexityResult HeldOut(double natsPerToken) =>
        new(natsPerToken * 1000, 1000, 4000, 4000, 128, 64, 16, []);

    private static TaskEvalResult Task(string name, int correct, int total) =>
        new(name, "exact match", 1, Enumerable.Range(0, total).Select(i => new TaskEvalRow($"{name}-{i}", "p", "e", "a", i < correct)).ToList(), TimeSpan.Zero);

    [Fact]
    public void The_report_pairs_metrics_and_marks_what_got_worse()
    {
        var before = new EvalSnapshot("base", HeldOut(1.50), [Task("capitalise", 5, 40), Task("facts", 30, 40)]);
        var after = new EvalSnapshot("after SFT", HeldOut(1.65), [Task("facts", 29, 40), Task("capitalise", 35, 40)]);
        var report = new ForgettingReport("SFT, 300 steps", before, after);

        var rows = report.Rows.ToDictionary(r => r.Metric);
        Assert.Equal(Math.Exp(1.65) - Math.Exp(1.50), rows["held-out perplexity"].Change, 9);
        Assert.True(rows["held-out perplexity"].Worse);
        Assert.Equal(1.65 * 1000 / Math.Log(2) / 4000, rows["held-out bits/byte"].After, 12);
        Assert.Equal(30 / 40.0, rows["accuracy: capitalise"].Change, 12);
        Assert.False(rows["accuracy: capitalise"].Worse);
        Assert.True(rows["accuracy: capitalise"].Significant); // 12.5 % → 87.5 % on 40 items: intervals apart
        Assert.True(rows["accuracy: facts"].Worse);
        Assert.False(rows["accuracy: facts"].Significant); // one item fewer: noise

        var table = report.ToTable();
        Assert.Contains("SFT, 300 steps: base → after SFT", table);
        Assert.Contains("+75.0 pts", table);
        Assert.Contains("(within noise)", table);
    }

    [Fact]
    public void Snapshots_of_different_tasks_cannot_be_compared()
    {
        var before = new EvalSnapshot("base", HeldOut(1.5), [Task("capitalise", 5, 10)]);
        var after = new EvalSnapshot("int4", HeldOut(1.6), [Task("reverse", 5, 10)]);
        var error = Assert.Throws<ArgumentException>(() => new ForgettingReport("int4", before, after));
        Assert.Contains("run the same task evals", error.Message);
        Assert.Contains("[capitalise]", error.Message);
    }
}
