using System.Text.RegularExpressions;
using LlmCourse.Evaluation;
using LlmCourse.Tokenization;
using Plotly.NET;

namespace LlmCourse.Tests.Evaluation;

public class NeedleTests
{
    private const string Filler =
        "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy disposition, seemed to unite some of " +
        "the best blessings of existence; and had lived nearly twenty-one years in the world with very little to distress or vex her. " +
        "She was the youngest of the two daughters of a most affectionate, indulgent father; and had, in consequence of her " +
        "sister's marriage, been mistress of his house from a very early period.";

    private static readonly ByteTokenizer Bytes = new();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void The_needle_lands_at_exactly_the_requested_depth(double depth)
    {
        var haystack = new NeedleHaystack(Bytes, Filler);
        var probe = haystack.Build(length: 200, depth, key: "4721", fillerStart: 10);
        var needle = Bytes.Encode(" The key is 4721.");
        var question = Bytes.Encode("\nWhat is the key? The key is");

        Assert.Equal(200, probe.Length);
        var fillerTokens = 200 - question.Length - needle.Length;
        Assert.Equal((int)Math.Round(depth * fillerTokens, MidpointRounding.AwayFromZero), probe.NeedlePosition);
        Assert.Equal(needle, probe.PromptIds.AsSpan(probe.NeedlePosition, needle.Length).ToArray());
        Assert.Equal(question, probe.PromptIds[^question.Length..]);
        // The filler around the needle is the filler, in order, from the requested start.
        var rest = probe.PromptIds[..probe.NeedlePosition].Concat(probe.PromptIds[(probe.NeedlePosition + needle.Length)..^question.Length]);
        Assert.Equal(Bytes.Encode(Filler).Skip(10).Take(fillerTokens), rest);
        Assert.Equal(" 4721.", Bytes.Decode(probe.AnswerIds));
    }

    [Fact]
    public void An_oracle_that_reads_the_context_scores_every_cell()
    {
        var haystack = new NeedleHaystack(Bytes, Filler, new NeedleSettings { KeyDigits = 4 });
        var grid = NeedleProbe.Run(haystack, lengths: [80, 160, 300], depths: [0, 0.5, 1], Oracle, trialsPerCell: 3);
        Assert.Equal(27, grid.Trials.Count);
        Assert.All(grid.Accuracy.SelectMany(row => row), a => Assert.Equal(1.0, a));
        Assert.Equal(3, grid.Accuracy.Length);     // one row per depth
        Assert.Equal(3, grid.Accuracy[0].Length);  // one column per length
        Assert.True(grid.Trials.Select(t => t.Key).Distinct().Count() > 20); // a fresh key per trial (9000 keys: repeats are rare)
        Assert.All(grid.Trials, t => Assert.Equal(4, t.Key.Length));

        // The default: two-digit keys, 10..99, so chance is 1 in 90.
        var defaults = new NeedleHaystack(Bytes, Filler);
        var keys = NeedleProbe.Run(defaults, [80], [0, 1], Oracle, trialsPerCell: 30).Trials.Select(t => int.Parse(t.Key)).ToList();
        Assert.All(keys, k => Assert.InRange(k, 10, 99));
        Assert.Equal(1 / 90.0, defaults.Settings.ChanceAccuracy, 1e-12);
    }

    [Fact]
    public void A_random_guesser_scores_about_chance()
    {
        var haystack = new NeedleHaystack(Bytes, Filler, new NeedleSettings { KeyDigits = 1 });
        Assert.Equal(0.1, haystack.Settings.ChanceAccuracy);
        var guesses = new Random(99);
        var grid = NeedleProbe.Run(haystack, lengths: [60, 120], depths: [0, 0.5, 1], _ => $" {guesses.Next(10)}.", trialsPerCell: 100);
        // 600 trials at p = 0.1: standard error 1.2 points; 4 of them either side.
        Assert.InRange(grid.Overall, 0.1 - 0.049, 0.1 + 0.049);
    }

    [Fact]
    public void A_model_that_only_sees_recent_tokens_fails_deep_needles_in_long_prompts()
    {
        // Reads only the last 60 tokens: it finds needles near the question and nothing else.
        var haystack = new NeedleHaystack(Bytes, Filler);
        var grid = NeedleProbe.Run(haystack, [300], [0, 1], probe => Oracle(probe with { Prompt = probe.Prompt[^60..] }), trialsPerCell: 2);
        Assert.Equal([0.0, 1.0], grid.Accuracy.Select(row => row[0]));
        Assert.Equal(0.5, grid.ByLength[0]);
        // The length table: one row per length, right/trials, accuracy and its interval.
        var row = grid.LengthTable().Split('\n').Single(l => l.Contains("2/4"));
        Assert.Equal(["300", "2/4", FormattableString.Invariant($"{0.5:P0}"), ConfidenceInterval.Wilson(2, 4).ToString()],
            row.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Accuracy_by_distance_separates_near_needles_from_far_ones()
    {
        // Reads only the last 60 bytes: a needle (15 bytes) starting at most 61 bytes before the end is found, any
        // other is not, whatever the prompt length.
        var haystack = new NeedleHaystack(Bytes, Filler);
        var grid = NeedleProbe.Run(haystack, [100, 300], [0, 0.5, 1], probe => Oracle(probe with { Prompt = probe.Prompt[^60..] }), trialsPerCell: 3);
        var bands = grid.ByDistance([61, 128]);

        Assert.Equal(["1–61", "62–128", "> 128"], bands.Select(b => b.Label));
        Assert.Equal(grid.Trials.Count, bands.Sum(b => b.Trials));
        Assert.Equal([1.0, 0.0, 0.0], bands.Select(b => b.Accuracy));
        // Each band holds exactly the trials whose needle distance falls in it.
        Assert.Equal(grid.Trials.Count(t => t.Length - t.NeedlePosition <= 61), bands[0].Trials);
        Assert.Equal(grid.Trials.Count(t => t.Length - t.NeedlePosition > 128), bands[2].Trials);
        Assert.Equal(ConfidenceInterval.Wilson(bands[0].Right, bands[0].Trials), bands[0].Interval);
        Assert.Contains("| 1–61 ", grid.DistanceTable([61, 128]));

        // Empty bands are left out; bad edges are explained.
        Assert.Equal(["1–500"], grid.ByDistance([500, 1000]).Select(b => b.Label)); // every needle is at most 300 back
        Assert.Equal(["1–61", "> 61"], grid.ByDistance([61]).Select(b => b.Label));
        Assert.Contains("ascending", Assert.Throws<ArgumentException>(() => grid.ByDistance([128, 96])).Message);
        Assert.Contains("ascending", Assert.Throws<ArgumentException>(() => grid.ByDistance([])).Message);
    }

    [Fact]
    public void The_first_number_of_the_answer_decides()
    {
        Assert.True(NeedleProbe.IsCorrect("4721", " 4721."));
        Assert.False(NeedleProbe.IsCorrect("4721", " 4271 or 4721"));
        Assert.False(NeedleProbe.IsCorrect("4721", " 47210"));
        Assert.False(NeedleProbe.IsCorrect("4721", " I don't know"));
    }

    [Fact]
    public void The_training_set_is_deterministic_and_within_the_requested_lengths()
    {
        var haystack = new NeedleHaystack(Bytes, Filler);
        var first = haystack.TrainingSet(20, 60, 120, seed: 5);
        var again = haystack.TrainingSet(20, 60, 120, seed: 5);
        var other = haystack.TrainingSet(20, 60, 120, seed: 6);
        Assert.Equal(first.Select(c => c.TrainingIds), again.Select(c => c.TrainingIds));
        Assert.NotEqual(first.Select(c => c.Key), other.Select(c => c.Key));
        Assert.All(first, c => Assert.InRange(c.Length, 60, 120));
        Assert.All(first, c =>
        {
            Assert.EndsWith($"What is the key? The key is {c.Key}.", Bytes.Decode(c.TrainingIds));
            Assert.Equal($" The key is {c.Key}.", Bytes.Decode(c.PromptIds.AsSpan(c.NeedlePosition, c.NeedleLength).ToArray()));
        });
        Assert.True(first.Select(c => c.Depth).Distinct().Count() > 15);
    }

    [Fact]
    public void A_training_example_teaches_the_answer_only()
    {
        var probe = new NeedleHaystack(Bytes, Filler).Build(length: 90, depth: 0.3, key: "4721", fillerStart: 0);
        var (inputs, targets) = probe.TrainingExample();
        var answer = Bytes.Encode(" 4721.");
        Assert.Equal(90 + answer.Length - 1, inputs.Length);
        Assert.Equal(inputs.Length, targets.Length);
        Assert.Equal(probe.TrainingIds[..^1], inputs);
        Assert.All(targets[..89], t => Assert.Equal(NeedleCase.IgnoreTarget, t)); // every prompt position is skipped...
        Assert.Equal(answer, targets[89..]);                                         // ...and the answer is the target
        Assert.Equal(probe.TrainingIds[1..], probe.TrainingExample(answerOnly: false).Targets);
    }

    [Fact]
    public void The_grid_draws_as_a_heatmap_fixed_from_zero_to_one()
    {
        var grid = NeedleProbe.Run(new NeedleHaystack(Bytes, Filler), [80, 120], [0, 1], Oracle, trialsPerCell: 1);
        var html = GenericChart.toChartHTML(grid.Heatmap());
        Assert.Contains("\"type\":\"heatmap\"", html);
        Assert.Contains("\"zmin\":0.0", html);
        Assert.Contains("\"zmax\":1.0", html);
        Assert.Contains("| depth \\ length |", grid.ToTable());
    }

    [Fact]
    public void Bad_grids_are_explained()
    {
        var haystack = new NeedleHaystack(Bytes, Filler);
        Assert.Contains("0..1", Assert.Throws<ArgumentOutOfRangeException>(() => NeedleProbe.Run(haystack, [100], [1.5], Oracle)).Message);
        Assert.Contains($"at least {haystack.MinimumLength}", Assert.Throws<ArgumentOutOfRangeException>(() => NeedleProbe.Run(haystack, [20], [0.5], Oracle)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NeedleProbe.Run(haystack, [], [0.5], Oracle)).Message);
        Assert.Contains("longer filler", Assert.Throws<ArgumentException>(() => haystack.Build(5000, 0.5, seed: 1)).Message);
    }

    /// <summary>Reads the key from the prompt text, as a perfect retriever would.</summary>
    private static string Oracle(NeedleCase probe) =>
        Regex.Match(probe.Prompt, "The key is ([0-9]+)\\.") is { Success: true } m ? " " + m.Groups[1].Value + "." : " I don't know.";
}
