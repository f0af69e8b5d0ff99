using LlmCourse.Alignment;
using LlmCourse.Training;

namespace LlmCourse.Tests.Alignment;

public class ReaderCheckpointRecipeTests
{
    [Fact]
    public void The_committed_reader_was_made_by_the_current_recipe_and_data()
    {
        var path = Path.Combine(ReaderRecipe.Folder, SftRecipe.RecipeFile);
        Assert.True(File.Exists(path), $"{path} is missing: regenerate the checkpoint (data/README.md, checkpoints/reader).");
        Assert.True(ReaderRecipe.Describe() == File.ReadAllText(path),
            $"data/checkpoints/reader was made by another recipe or other data than ReaderRecipe describes now:\n{File.ReadAllText(path)}\n" +
            $"now:\n{ReaderRecipe.Describe()}\nRegenerate it: dotnet run -c Release --project tools/LlmCourse.Bench -- reader data/checkpoints/reader");
    }

    [Fact]
    public void The_description_names_the_copy_lesson_the_shares_and_every_training_file()
    {
        var description = ReaderRecipe.Describe();
        Assert.Contains($"Steps = {ReaderRecipe.CopyLesson.Steps}", description);
        Assert.Contains($"CopyRows = {ReaderRecipe.CopyLesson.CopyRows}", description);
        Assert.Contains($"shares: instructions {ReaderRecipe.Shares.Instructions}, reading {ReaderRecipe.Shares.Reading}", description);
        Assert.Matches($"data: {AlignmentDataFiles.ReadingTrain} sha256 [0-9a-f]{{64}}", description);
        Assert.Matches($"data: {AlignmentDataFiles.LookupTrain} sha256 [0-9a-f]{{64}}", description);
        Assert.NotEqual(description, $"copy lesson: {ReaderRecipe.CopyLesson with { Steps = 1 }}\n" + description[(description.IndexOf('\n') + 1)..]);
    }

    [Fact]
    public void The_sources_carry_the_recipe_shares_in_the_sft_order()
    {
        var loaded = GptCheckpoint.Load(BaseRecipe.Folder);
        using var model = loaded.Model;
        var sources = ReaderRecipe.Sources(SftRecipe.Template(model, loaded.Tokenizer!), AlignmentDataFiles.LoadInstructions(), ReadingData.Generate());
        Assert.Equal(["instructions", "reading", "repeat", "lookup"], sources.Select(s => s.Name));
        Assert.Equal([9.0, 4, 2, 1], sources.Select(s => s.Weight));
    }
}
