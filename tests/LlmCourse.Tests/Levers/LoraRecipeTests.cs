using LlmCourse.Alignment;
using LlmCourse.Levers;
using LlmCourse.Tests.Alignment;

namespace LlmCourse.Tests.Levers;

/// <summary>Notebook 8a's recipe: the tuning split keeps instances apart and leaves the real held-out items alone; the config's sizes; replay as in full fine-tuning.</summary>
public class LoraRecipeTests
{
    [Fact]
    public void The_tuning_split_divides_the_training_items_by_instance_and_never_uses_the_held_out_ones()
    {
        var data = AlignmentFixtures.Instructions;
        var split = LoraRecipe.TuningSplit(data);
        Assert.Equal(data.Train.Count, split.Train.Count + split.HeldOut.Count);
        Assert.Equal(data.Train.Select(i => i.Id).Order(), split.Train.Concat(split.HeldOut).Select(i => i.Id).Order());
        Assert.Empty(split.Train.Select(i => i.Instance).Intersect(split.HeldOut.Select(i => i.Instance)));
        Assert.InRange(split.HeldOut.Count, data.Train.Count / 10, data.Train.Count / 5); // about one instance in seven
        Assert.All(data.Families, f => Assert.Contains(split.HeldOut, i => i.Family == f)); // every family is tuned on
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraRecipe.TuningSplit(data, every: 1));
    }

    [Fact]
    public void The_config_adapts_every_projection_and_optionally_the_chat_markers_rows()
    {
        using var model = new LlmCourse.Model.GptModel(LlmCourse.Model.GptConfig.Tiny(AlignmentFixtures.Tokenizer.VocabularySize));
        var template = AlignmentFixtures.Template;
        var config = LoraRecipe.Config(4, template);
        Assert.Equal([template.SystemId, template.UserId, template.AssistantId, template.EndId], config.TrainableTokens!);
        Assert.Equal(LoraRecipe.EmbeddingRank, config.EmbeddingRank);
        Assert.Equal(LoraRecipe.AlphaPerRank, config.Scaling);
        var plain = LoraRecipe.Config(4, template, adaptEmbedding: false);
        Assert.False(plain.AdaptsEmbedding);
        var report = Lora.Apply(model, plain);
        Assert.Equal(6 * model.Config.Layers, report.Layers.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraRecipe.Config(0, template));
    }

    [Fact]
    public void The_settings_replay_austen_like_full_fine_tuning_so_forgetting_compares_fairly()
    {
        // 8a compares LoRA's Austen bits/char with the committed SFT checkpoint's: a change to either recipe's
        // replay (or batch) without the other makes that comparison unfair again.
        Assert.True(LoraRecipe.Settings.ReplayWindows > 0);
        Assert.Equal(SftRecipe.Settings.ReplayWindows, LoraRecipe.Settings.ReplayWindows);
        Assert.Equal(SftRecipe.Settings.ReplayWeight, LoraRecipe.Settings.ReplayWeight);
        Assert.Equal(SftRecipe.Settings.BatchSize, LoraRecipe.Settings.BatchSize);
        LoraRecipe.Settings.Validate();
    }
}
