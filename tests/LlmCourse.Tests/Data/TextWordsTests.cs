using LlmCourse.Data;
using LlmCourse.Evaluation;
using LlmCourse.Scaffolding;

namespace LlmCourse.Tests.Data;

public class TextWordsTests
{
    [Fact]
    public void Splits_on_anything_but_letters_and_digits_and_lower_cases()
    {
        Assert.Equal(["mr", "darcy", "s", "10", "000", "élan"], TextWords.Split("Mr. Darcy's £10,000 — Élan!"));
        Assert.Empty(TextWords.Split(" ,.;—"));
        Assert.Empty(TextWords.Split(""));
    }

    [Fact]
    public void Retrieval_and_contamination_cut_words_the_same_way()
    {
        const string text = "It is a truth universally acknowledged, that a single man in possession of a good fortune";
        Assert.Equal(NgramIndex.Words(text), DocumentStore.Words(text));
    }
}
