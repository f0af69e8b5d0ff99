using LlmCourse.Evaluation;
using LlmCourse.Lenses;

namespace LlmCourse.Tests.Lenses;

public class LensFixTests
{
    private static TaskEvalResult Result(int correct, int total) =>
        new("homes", "contains", 1, Enumerable.Range(0, total).Select(i => new TaskEvalRow($"q{i}", "p", "x", "a", i < correct)).ToList(), TimeSpan.FromSeconds(total));

    [Fact]
    public void The_table_gives_each_fix_its_gain_and_its_costs_against_the_baseline()
    {
        var baseline = new LensFix(Lens.None, "as is", Result(1, 10), TimeSpan.Zero, 20, 0);
        var context = new LensFix(Lens.Context, "fact in the prompt", Result(6, 10), TimeSpan.Zero, 31, 0);
        var weights = new LensFix(Lens.Weights, "fine-tune", Result(3, 10), TimeSpan.FromSeconds(12.3), 20, 2_700_000);

        var lines = LensFix.Table([baseline, context, weights], baseline).Split('\n');

        Assert.Contains("+50 pts", lines[3]);
        Assert.Contains("31 (+11)", lines[3]);
        Assert.Contains("context", lines[3]);
        Assert.Contains("12.3 s", lines[4]);
        Assert.Contains("2,700,000", lines[4]);
        Assert.Contains("+20 pts", lines[4]);
        Assert.DoesNotContain("pts", lines[2]); // the baseline is not compared with itself
        Assert.Contains("1000 ms", lines[2]);
    }
}
