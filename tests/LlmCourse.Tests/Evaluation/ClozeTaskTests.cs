using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Evaluation;

public class ClozeTaskTests
{
    private static readonly string Text = string.Join(" ", Enumerable.Range(0, 40).Select(i =>
        $"Elizabeth walked to Meryton on day {i}. Her sister Jane stayed at Longbourn with their mother, and Elizabeth returned before dinner."));

    [Fact]
    public void Items_are_passages_of_the_text_followed_by_a_word_they_already_mention()
    {
        var items = ClozeTask.FromText(Text, count: 8, contextCharacters: 120);
        Assert.Equal(8, items.Count);
        foreach (var item in items)
        {
            var offset = int.Parse(item.Id["cloze-".Length..]);
            Assert.Equal(item.Expected, Text.Substring(offset, item.Expected.Length));
            Assert.EndsWith(item.Prompt + " " + item.Expected, Text[..(offset + item.Expected.Length)]);
            Assert.InRange(item.Prompt.Length, 60, 120);
            Assert.Contains(item.Expected, item.Prompt);
            Assert.True(item.Expected.Length >= 5);
            Assert.NotEqual(' ', item.Prompt[0]);
        }
        // Passages do not overlap.
        var spans = items.Select(i => (End: int.Parse(i.Id[6..]), Start: int.Parse(i.Id[6..]) - 1 - i.Prompt.Length)).OrderBy(s => s.Start).ToList();
        Assert.All(spans.Zip(spans.Skip(1)), pair => Assert.True(pair.First.End < pair.Second.Start));
    }

    [Fact]
    public void The_same_seed_picks_the_same_items()
    {
        Assert.Equal(ClozeTask.FromText(Text, 6, 120, seed: 1), ClozeTask.FromText(Text, 6, 120, seed: 1));
        Assert.NotEqual(ClozeTask.FromText(Text, 6, 120, seed: 1).Select(i => i.Id), ClozeTask.FromText(Text, 6, 120, seed: 2).Select(i => i.Id));
    }

    [Fact]
    public void Asking_for_more_items_than_the_text_holds_is_explained()
    {
        var error = Assert.Throws<ArgumentException>(() => ClozeTask.FromText(Text[..600], count: 50, contextCharacters: 120));
        Assert.Contains("50 were asked for", error.Message);
    }

    [Fact]
    public void The_first_word_scorer_reads_the_word_and_ignores_what_follows()
    {
        var item = new TaskItem("x", "and then", "Elizabeth");
        var scorer = TaskScorer.FirstWord();
        Assert.True(scorer.IsCorrect(" Elizabeth, who had", item));
        Assert.False(scorer.IsCorrect(" Eliza", item));
        Assert.False(scorer.IsCorrect(" Jane and Elizabeth", item));
        Assert.False(scorer.IsCorrect("", item));
    }
}
