using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class ContaminationTests
{
    private const string TrainingCorpus =
        "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.\n" +
        "However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well " +
        "fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other of their daughters.\n" +
        "Mr. Bennet was so odd a mixture of quick parts, sarcastic humour, reserve, and caprice, that the experience of three-and-twenty " +
        "years had been insufficient to make his wife understand his character.";

    private static readonly NgramIndex Index = NgramIndex.Build(TrainingCorpus, n: 5);

    private static readonly TaskItem[] Items =
    [
        // Planted: a corpus sentence as the prompt, its ending as the answer.
        new("planted", "Complete: It is a truth universally acknowledged, that a single man in possession of a good fortune,", "must be in want of a wife."),
        // Planted with other case, punctuation and line breaks: still a copy.
        new("disguised", "MR BENNET WAS SO ODD A MIXTURE\nof quick parts -- sarcastic humour -- reserve and caprice", "yes"),
        // Clean: about the corpus, in other words.
        new("clean", "Which of the Bennet parents has a sarcastic sense of humour, according to the narrator?", "Mr. Bennet"),
        new("clean-2", "Capitalise the word pemberley and then reverse the letters of the result.", "YELREBMEP"),
        // Too short to have a 5-gram.
        new("short", "Capitalise: emma", "EMMA"),
    ];

    [Fact]
    public void Planted_ngrams_are_found_and_clean_items_are_not_flagged()
    {
        var report = Contamination.Check(Index, Items, threshold: 0.5);
        Assert.Equal(["planted", "disguised"], report.Contaminated);
        Assert.Equal(["clean", "clean-2"], report.Clean);
        Assert.Equal(["short"], report.TooShort);

        var rows = report.Rows.ToDictionary(r => r.Id);
        // "complete" + 16 corpus words + "must be in want of a wife" (the corpus goes on the same way): 24 words, 20 5-grams,
        // all in the corpus but the first ("complete it is a truth").
        Assert.Equal((20, 19), (rows["planted"].Ngrams, rows["planted"].Seen));
        Assert.Equal(0, rows["clean"].Seen);
        Assert.Equal(0, rows["clean-2"].Seen);
        Assert.Equal(15, NgramIndex.Words("MR BENNET WAS SO ODD A MIXTURE\nof quick parts -- sarcastic humour -- reserve and caprice").Count);
        Assert.Contains("2 of 5 items flagged", report.ToString());
    }

    [Fact]
    public void The_score_is_split_into_clean_and_contaminated_items()
    {
        var report = Contamination.Check(Index, Items);
        // A model that recites: right exactly on the copied items.
        var result = TaskEval.Run("mixed", Items, prompt => Items.First(i => i.Prompt == prompt) is var item && report.Contaminated.Contains(item.Id) ? item.Expected : "?",
            TaskScorer.ExactMatch());
        var split = report.Split(result);
        Assert.Equal(0.4, split.All.Accuracy, 12);
        Assert.Equal((0, 3), (split.Clean!.Correct, split.Clean.Total));
        Assert.Equal((2, 2), (split.Contaminated!.Correct, split.Contaminated.Total));
        Assert.Contains("mixed (clean)", split.ToTable());
    }

    [Fact]
    public void The_threshold_and_the_order_of_words_matter()
    {
        // 9 corpus words + 5 others = 14 words, 10 5-grams, the first 5 copied: flagged at 0.4, not at 0.9.
        var half = "a single man in possession of a good fortune zebra quantum lattice violin orbit";
        var (ngrams, seen) = Index.Overlap(half);
        Assert.Equal((10, 5), (ngrams, seen));
        Assert.Single(Contamination.Check(Index, [("half", half)], threshold: 0.4).Contaminated);
        Assert.Empty(Contamination.Check(Index, [("half", half)], threshold: 0.9).Contaminated);
        // The same words shuffled share no 5-gram.
        Assert.Equal(0, Index.Overlap("fortune good a of possession in man single a").Seen);
    }

    [Fact]
    public void Bad_input_is_explained()
    {
        Assert.Contains("no eval items", Assert.Throws<ArgumentException>(() => Contamination.Check(Index, Array.Empty<TaskItem>())).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => Contamination.Check(Index, Items, threshold: 0)).Message);
        Assert.Contains("id 'x'", Assert.Throws<ArgumentException>(() => Contamination.Check(Index, [("x", "a"), ("x", "b")])).Message);
        var report = Contamination.Check(Index, Items);
        var unknown = TaskEval.Run("other", [new TaskItem("elsewhere", "p", "e")], p => p, TaskScorer.ExactMatch());
        Assert.Contains("'elsewhere'", Assert.Throws<ArgumentException>(() => report.Split(unknown)).Message);
    }
}
