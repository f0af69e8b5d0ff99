using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class TaskEvalTests
{
    private static readonly TaskItem[] Items =
    [
        new("sister-1", "Who is Elizabeth Bennet's eldest sister?", "Jane"),
        new("upper-1", "Capitalise: darcy", "DARCY"),
        new("count-1", "How many Bennet sisters are there?", "5"),
        new("estate-1", "Whose estate is Pemberley?", "Mr. Darcy's"),
    ];

    private static readonly Dictionary<string, string> Answers = new()
    {
        ["Who is Elizabeth Bennet's eldest sister?"] = "Jane",
        ["Capitalise: darcy"] = "DARCY\n",
        ["How many Bennet sisters are there?"] = "four",
        ["Whose estate is Pemberley?"] = "It is Mr. Darcy's estate.",
    };

    [Fact]
    public void Accuracy_counts_the_scorer_verdicts_and_reports_a_wilson_interval()
    {
        var result = TaskEval.Run("facts", Items, prompt => Answers[prompt], TaskScorer.ExactMatch());
        Assert.Equal(["sister-1", "upper-1", "count-1", "estate-1"], result.Rows.Select(r => r.Id));
        Assert.Equal([true, true, false, false], result.Rows.Select(r => r.Correct));
        Assert.Equal((2, 4, 0.5), (result.Correct, result.Total, result.Accuracy));
        Assert.Equal(ConfidenceInterval.Wilson(2, 4), result.Interval);
        Assert.Contains("| count-1", result.ToTable());
        Assert.Contains("2/4", TaskEvalResult.Summary([result]));
    }

    [Fact]
    public void Scorers_differ_exactly_where_their_holes_are()
    {
        var contains = TaskEval.Run("facts", Items, prompt => Answers[prompt], TaskScorer.Contains());
        Assert.Equal([true, true, false, true], contains.Rows.Select(r => r.Correct)); // the rambling answer passes
        var firstLine = TaskScorer.FirstLine();
        Assert.True(firstLine.IsCorrect("Jane\nand also Kitty", Items[0]));
        Assert.False(TaskScorer.ExactMatch().IsCorrect("Jane.", Items[0]));
        Assert.True(TaskScorer.ExactMatch(ignoreCase: true).IsCorrect(" darcy ", Items[1]));
    }

    [Fact]
    public void The_same_seed_gives_the_same_sampled_answers_and_each_item_has_its_own_seed()
    {
        Answerer sampler = (prompt, seed) => new Random(seed).Next(1000).ToString();
        var first = TaskEval.Run("sampled", Items, sampler, TaskScorer.ExactMatch(), seed: 11);
        var again = TaskEval.Run("sampled", Items, sampler, TaskScorer.ExactMatch(), seed: 11);
        var other = TaskEval.Run("sampled", Items, sampler, TaskScorer.ExactMatch(), seed: 12);
        Assert.Equal(first.Rows.Select(r => r.Answer), again.Rows.Select(r => r.Answer));
        Assert.NotEqual(first.Rows.Select(r => r.Answer), other.Rows.Select(r => r.Answer));
        Assert.Equal(4, first.Rows.Select(r => r.Answer).Distinct().Count());
        Assert.Equal(TaskEval.ItemSeed(11, 2), TaskEval.ItemSeed(11, 2));
        Assert.NotEqual(TaskEval.ItemSeed(11, 2), TaskEval.ItemSeed(11, 3));
    }

    [Fact]
    public void An_empty_set_is_an_error_that_names_the_eval()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskEval.Run("held-out capitals", [], p => p, TaskScorer.ExactMatch()));
        Assert.Contains("'held-out capitals' is empty", error.Message);
    }

    [Fact]
    public void A_scorer_that_throws_is_reported_with_the_item()
    {
        var fragile = TaskScorer.Custom("parses a number", (answer, item) => int.Parse(answer) == int.Parse(item.Expected));
        var error = Assert.Throws<EvalItemException>(() => TaskEval.Run("facts", Items, prompt => Answers[prompt], fragile));
        Assert.Equal("sister-1", error.ItemId);
        Assert.Contains("'parses a number' threw on item 'sister-1' (#0)", error.Message);
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public void An_answerer_that_throws_is_reported_with_the_item()
    {
        var error = Assert.Throws<EvalItemException>(() => TaskEval.Run("facts", Items,
            prompt => prompt.StartsWith("How many") ? throw new InvalidOperationException("out of tokens") : "x", TaskScorer.ExactMatch()));
        Assert.Equal(2, error.Index);
        Assert.Contains("item 'count-1'", error.Message);
        Assert.Contains("out of tokens", error.Message);
    }

    [Fact]
    public void Duplicate_ids_are_rejected()
    {
        TaskItem[] twice = [Items[0], Items[1] with { Id = "sister-1" }];
        Assert.Contains("the id 'sister-1'", Assert.Throws<ArgumentException>(() => TaskEval.Run("facts", twice, p => p, TaskScorer.ExactMatch())).Message);
    }
}
