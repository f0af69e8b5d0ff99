using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class PracticePromptsTests
{
    private static readonly InstructionSet Data = AlignmentFixtures.Instructions;

    [Fact]
    public void Practice_prompts_are_new_use_only_training_words_and_are_answered_right_by_their_ideal_answer()
    {
        var items = PracticePrompts.WordCounts(Data, 200, seed: 3);
        Assert.Equal(200, items.Count);
        Assert.Equal(200, items.Select(i => i.User).Distinct().Count());
        var existing = Data.Train.Concat(Data.HeldOut).Select(i => i.User).ToHashSet();
        Assert.DoesNotContain(items, i => existing.Contains(i.User));
        var heldOutWords = Data.HeldOut.Where(i => i.Family == "letters").Select(i => i.Instance.Split('|')[1]).ToHashSet();
        Assert.NotEmpty(heldOutWords);
        foreach (var item in items)
        {
            var words = item.Instance.Split('|')[1].Split(' ');
            Assert.DoesNotContain(words, heldOutWords.Contains);
            Assert.InRange(words.Length, 2, 6);
            Assert.Equal(words.Length.ToString(), item.Answer);
            Assert.True(item.IsCorrect(item.Answer));
            Assert.False(item.IsCorrect((words.Length + 1).ToString()));
        }
    }

    [Fact]
    public void Same_seed_same_items_other_seed_other_items()
    {
        var a = PracticePrompts.WordCounts(Data, 50, seed: 1).Select(i => i.User).ToList();
        Assert.Equal(a, PracticePrompts.WordCounts(Data, 50, seed: 1).Select(i => i.User).ToList());
        Assert.NotEqual(a, PracticePrompts.WordCounts(Data, 50, seed: 2).Select(i => i.User).ToList());
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => PracticePrompts.WordCounts(Data, 0)).Message);
        var noLetters = new InstructionSet(Data.Train.Where(i => i.Family != "letters").ToList(), Data.HeldOut);
        Assert.Contains("no \"letters\" items", Assert.Throws<ArgumentException>(() => PracticePrompts.WordCounts(noLetters, 5)).Message);
    }
}
