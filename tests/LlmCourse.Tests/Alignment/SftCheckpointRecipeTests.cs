using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class SftCheckpointRecipeTests
{
    [Fact]
    public void The_committed_checkpoint_was_made_by_the_current_recipe_and_data()
    {
        var path = Path.Combine(SftRecipe.Folder, SftRecipe.RecipeFile);
        Assert.True(File.Exists(path), $"{path} is missing: regenerate the checkpoint (data/README.md, checkpoints/sft).");
        Assert.True(SftRecipe.Describe() == File.ReadAllText(path),
            $"data/checkpoints/sft was made by another recipe or other data than SftRecipe describes now:\n{File.ReadAllText(path)}\n" +
            $"now:\n{SftRecipe.Describe()}\nRegenerate it: dotnet run -c Release --project tools/LlmCourse.Bench -- sft data/checkpoints/sft");
    }

    [Fact]
    public void The_description_names_every_setting_and_the_training_data()
    {
        var description = SftRecipe.Describe();
        Assert.Contains($"Steps = {SftRecipe.Settings.Steps}", description);
        Assert.Contains($"ReplayWindows = {SftRecipe.Settings.ReplayWindows}", description);
        Assert.Contains($"LearningRate = {SftRecipe.Settings.LearningRate}", description);
        Assert.Matches($"data: {AlignmentDataFiles.InstructionsTrain} sha256 [0-9a-f]{{64}}", description);
        // A changed setting changes the description (what the drift test above relies on).
        Assert.NotEqual($"settings: {SftRecipe.Settings}", $"settings: {SftRecipe.Settings with { Steps = SftRecipe.Settings.Steps + 1 }}");
    }
}
