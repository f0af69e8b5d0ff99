using LlmCourse.Data;
using LlmCourse.Evaluation;
using LlmCourse.Tokenization;
using LlmCourse.Training;

namespace LlmCourse.Tests.Evaluation;

public class NeedleRecipeTests
{
    private static BytePairTokenizer CourseTokenizer() => BytePairTokenizer.Load(Path.Combine(BaseRecipe.Folder, GptCheckpoint.TokenizerFile));

    [Fact]
    public void Quick_mode_only_shortens_the_fine_tune()
    {
        // Same lengths, learning rate, warmup and seed: quick mode is a smaller run of the same recipe.
        Assert.Equal(NeedleRecipe.Full with { Steps = NeedleRecipe.Quick.Steps, BatchSize = NeedleRecipe.Quick.BatchSize }, NeedleRecipe.Quick);
        Assert.True(NeedleRecipe.Quick.Steps < NeedleRecipe.Full.Steps);
        Assert.Equal(NeedleRecipe.Full.MaxLength, NeedleRecipe.TrainedLength);
    }

    [Fact]
    public void The_fine_tune_stays_inside_the_pretrained_window_and_fits_the_needle()
    {
        var tokenizer = CourseTokenizer();
        var haystack = NeedleRecipe.Haystack(tokenizer, Corpus.Austen);
        // Inside the window, so a probe past 128 tokens asks for distances neither training step showed.
        Assert.True(NeedleRecipe.TrainedLength < BaseRecipe.Config(tokenizer).ContextLength);
        Assert.InRange(haystack.MinimumLength, 1, NeedleRecipe.Full.MinLength);
        // Two-digit keys, chance 1 in 90, and enough Emma for the longest prompt the notebooks probe.
        Assert.Equal(2, haystack.Settings.KeyDigits);
        Assert.Equal(1 / 90.0, haystack.Settings.ChanceAccuracy, 1e-12);
        Assert.True(haystack.FillerTokens > 4 * 384);
        var probe = haystack.Build(length: 384, depth: 1, key: "47", fillerStart: 0);
        Assert.StartsWith(probe.Prompt[..200], Corpus.Austen.Novel(NeedleRecipe.FillerNovel).Text);
        Assert.EndsWith(" The key is 47.\nWhat is the key? The key is", probe.Prompt);
    }

    [Fact]
    public void The_same_recipe_gives_the_same_haystack()
    {
        var tokenizer = CourseTokenizer();
        var a = NeedleRecipe.Haystack(tokenizer, Corpus.Austen).Build(200, 0.5, seed: 7);
        var b = NeedleRecipe.Haystack(tokenizer, Corpus.Austen).Build(200, 0.5, seed: 7);
        Assert.Equal(a.PromptIds, b.PromptIds);
        Assert.Equal(a.Key, b.Key);
    }
}
