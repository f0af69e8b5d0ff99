using LlmCourse.Alignment;
using LlmCourse.Evaluation;
using LlmCourse.Model;
using LlmCourse.Training;

namespace LlmCourse.Tests.Training;

public class CopyLessonTests
{
    private static readonly CopyLessonSettings Small = new(Steps: 5, TextRows: 2, CopyRows: 4, MinPeriod: 3, MaxPeriod: 8, FirstId: 8, WarmupSteps: 2);

    [Fact]
    public void A_row_repeats_one_pattern_of_fresh_ids_and_a_seed_gives_the_same_rows()
    {
        var settings = new CopyLessonSettings(MinPeriod: 8, MaxPeriod: 64, FirstId: 256);
        var a = new SeededRandom(5);
        var b = new SeededRandom(5);
        for (var r = 0; r < 20; r++)
        {
            var row = CopyLesson.PeriodicRow(a, 129, 1024, settings);
            Assert.Equal(row, CopyLesson.PeriodicRow(b, 129, 1024, settings));
            Assert.All(row, id => Assert.InRange(id, 256, 1023));
            var period = Enumerable.Range(settings.MinPeriod, settings.MaxPeriod - settings.MinPeriod + 1)
                .First(p => Enumerable.Range(0, row.Length - p).All(i => row[i] == row[i + p]));
            Assert.True(2 * period <= row.Length, $"period {period} in a row of {row.Length}");
        }
    }

    [Fact]
    public void Same_settings_same_losses_and_the_model_is_trained_in_place()
    {
        var text = Enumerable.Range(0, 400).Select(i => i * 7 % 8).ToList();
        using var model = new GptModel(GptConfig.Tiny(32), seed: 2);
        var before = model.parameters().Sum(p => p.abs().sum().item<float>());
        var history = CopyLesson.Run(model, text, Small with { Steps = 5 });
        Assert.Equal(5, history.Count);
        Assert.NotEqual(before, model.parameters().Sum(p => p.abs().sum().item<float>()));
        using var again = new GptModel(GptConfig.Tiny(32), seed: 2);
        Assert.Equal(history.Select(s => s.CopyLoss), CopyLesson.Run(again, text, Small with { Steps = 5 }).Select(s => s.CopyLoss));
    }

    [Fact]
    public void The_reader_checkpoint_copies_and_the_sft_checkpoint_does_not()
    {
        // What the copy lesson is for, checked on the committed models. The reader (ReaderRecipe) continues a sentence
        // it has just read with the invented name in it, and reads the second copy of random tokens off the first far
        // better than chance; the SFT model, whose base never took the lesson, does neither. (The reader's fine-tune
        // after the lesson wore its random-token copying down from 97 % to about 15 %; names it still copies.)
        var loaded = GptCheckpoint.Load(ReaderRecipe.Folder);
        using var reader = loaded.Model;
        using var sft = GptCheckpoint.Load(SftRecipe.Folder).Model;
        var readerScore = InductionProbe.Run(reader, sequences: 16);
        var sftScore = InductionProbe.Run(sft, sequences: 16);
        Assert.True(readerScore.SecondAccuracy > 0.08 && readerScore.SecondLoss < readerScore.FirstLoss - 2, $"reader: {readerScore}");
        Assert.True(sftScore.SecondAccuracy < 0.02 && sftScore.SecondLoss > sftScore.FirstLoss - 0.5, $"SFT: {sftScore}");
        var probes = CopyProbe.Items(ReadingData.Generate().HeldOut.Where(i => i.Family == "reading")).Take(30).ToList();
        var readerCopies = CopyProbe.Run(reader, loaded.Tokenizer!, probes, "reader");
        var sftCopies = CopyProbe.Run(sft, loaded.Tokenizer!, probes, "SFT");
        Assert.True(readerCopies.Accuracy > 0.3 && sftCopies.Accuracy < 0.1, $"{readerCopies}; {sftCopies}");
    }

    [Fact]
    public void Bad_settings_are_clear_errors()
    {
        using var model = new GptModel(GptConfig.Tiny(32), seed: 2);
        var text = Enumerable.Range(0, 100).Select(i => i % 8).ToList();
        Assert.Contains("half the row", Assert.Throws<ArgumentException>(() => CopyLesson.Run(model, text, Small with { MaxPeriod = 9 })).Message);
        Assert.Contains("FirstId = 40", Assert.Throws<ArgumentException>(() => CopyLesson.Run(model, text, Small with { FirstId = 40 })).Message);
        Assert.Contains("Steps, TextRows and CopyRows", Assert.Throws<ArgumentException>(() => CopyLesson.Run(model, text, Small with { CopyRows = 0 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InductionProbe.Run(model, length: 9)); // 2 × 9 > the context of 16
    }
}
