using LlmCourse.Alignment;
using LlmCourse.Data;
using LlmCourse.Training;

namespace LlmCourse.Tests.Alignment;

public class PreferenceScorecardTests
{
    private static readonly IReadOnlyList<InstructionItem> HeldOut = AlignmentFixtures.Instructions.HeldOut.Where((_, i) => i % 4 == 0).ToList();

    [Fact]
    public void Batched_greedy_answers_of_the_sft_model_equal_6b_s_answerer()
    {
        var sft = GptCheckpoint.Load(SftRecipe.Folder);
        using var model = sft.Model;
        var template = SftRecipe.Template(model, sft.Tokenizer!);
        var answer = SftRecipe.Answerer(model, sft.Tokenizer!);
        var expected = HeldOut.Select(i => answer(template.PromptText(i.User, i.System), 0)).ToList();

        var batched = PolicySampler.GreedyMany(model, HeldOut.Select(i => template.PromptIds(i.User, i.System)).ToList(), SftRecipe.MaxAnswerTokens, template.EndId);
        Assert.Equal(expected, batched.Select(r => template.AnswerText(r.Tokens)).ToList());
    }

    [Fact]
    public void The_reference_ties_with_itself_and_another_model_is_measured_against_it()
    {
        var sft = GptCheckpoint.Load(SftRecipe.Folder);
        using var reference = sft.Model;
        using var other = GptCheckpoint.Load(BaseRecipe.Folder).Model; // the untuned base model: answers badly, far from the SFT model
        var template = SftRecipe.Template(reference, sft.Tokenizer!);
        var practised = AlignmentFixtures.Instructions.Train.Take(12).ToList();
        var card = new PreferenceScorecard(reference, template, HeldOut, practised, rewardModel: null, Corpus.Austen.Validation[..3_000],
            new ScorecardSettings(SamplesPerPrompt: 2, SampleTokens: 12));

        var self = card.Measure("SFT", reference);
        Assert.Equal(HeldOut.Count, self.ByProperty.Ties);
        Assert.Equal(0, self.SampledHeldOut.Mean);
        Assert.Equal(0, self.SampledPractised!.Value.Mean);
        Assert.Equal(0, self.Kl.Mean, 5);
        Assert.Null(self.ByRewardModel);
        var sixB = SftRecipe.HeldOutAccuracy(reference, sft.Tokenizer!, new InstructionSet([], HeldOut), "6b");
        Assert.Equal(sixB.Correct, self.Accuracy.Correct);

        var row = card.Measure("base", other, TimeSpan.FromSeconds(3));
        Assert.True(row.ByProperty.WinsB > row.ByProperty.WinsA, row.ByProperty.ToString());
        Assert.True(row.Accuracy.Correct < self.Accuracy.Correct);
        Assert.True(row.Kl.Mean > 1);
        Assert.True(row.SampledPractised!.Value.Mean < 0);
        Assert.NotEqual(self.BitsPerCharacter, row.BitsPerCharacter);

        var table = PreferenceScorecard.Render([self, row]);
        Assert.Contains("| base", table);
        Assert.Contains("(6b)", table);
        Assert.Contains("3 s", table);
        Assert.Contains($"{self.Accuracy.Correct}/{HeldOut.Count}", table);
        Assert.Contains("Practised prompts and costs", table);
        var renamed = PreferenceScorecard.Render([self, row], "new counting prompts");
        Assert.Contains("New counting prompts and costs", renamed);
        Assert.Contains("new counting prompts: accuracy", renamed);
        Assert.Contains("name the second item set", Assert.Throws<ArgumentException>(() => PreferenceScorecard.Render([self], " ")).Message);
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        var sft = GptCheckpoint.Load(SftRecipe.Folder);
        using var model = sft.Model;
        var template = SftRecipe.Template(model, sft.Tokenizer!);
        Assert.Contains("at least two held-out items", Assert.Throws<ArgumentException>(() =>
            new PreferenceScorecard(model, template, HeldOut.Take(1).ToList(), null, null, "text")).Message);
        Assert.Contains("repeat another item's prompt", Assert.Throws<ArgumentException>(() =>
            new PreferenceScorecard(model, template, [.. HeldOut, HeldOut[0] with { Id = "again" }], null, null, "text")).Message);
        Assert.Contains("No held-out Austen", Assert.Throws<ArgumentException>(() =>
            new PreferenceScorecard(model, template, HeldOut, null, null, "")).Message);
    }
}
