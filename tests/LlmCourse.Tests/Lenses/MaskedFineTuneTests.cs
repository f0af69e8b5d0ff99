using LlmCourse.Model;
using LlmCourse.Tokenization;
using LlmCourse.Training;

namespace LlmCourse.Tests.Lenses;

public class MaskedFineTuneTests
{
    private static readonly CharTokenizer Chars = CharTokenizer.FromText("abcdefghijklmnopqrstuvwxyz ?.>");

    [Fact]
    public void Only_tokens_of_learnable_segments_are_targets()
    {
        var (ids, targets) = MaskedFineTune.Encode(Chars, [new("ab?", false), new("cd", true), new(">x", false), new("y.", true)], contextLength: 32);

        Assert.Equal(9, ids.Length);
        // Position t predicts token t + 1: targets are set where the NEXT token is learnable ("c", "d", "y", ".").
        var expected = new long[] { -100, -100, ids[3], ids[4], -100, -100, ids[7], ids[8], -100 };
        Assert.Equal(expected, targets);
    }

    [Fact]
    public void Bad_examples_get_clear_errors()
    {
        Assert.Contains("no learnable", Assert.Throws<ArgumentException>(() => MaskedFineTune.Encode(Chars, [new("abc", false)], 32)).Message);
        Assert.Contains("context of 4", Assert.Throws<ArgumentException>(() => MaskedFineTune.Encode(Chars, [new("abc", false), new("de", true)], 4)).Message);
        Assert.Contains("first token", Assert.Throws<ArgumentException>(() => MaskedFineTune.Encode(Chars, [new("a", true), new("bc", false)], 32)).Message);
    }

    [Fact]
    public void Training_lowers_the_loss_on_the_answers()
    {
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize));
        IReadOnlyList<IReadOnlyList<TextSegment>> examples = new[] { "ab", "cd", "ef" }.Select(q => (IReadOnlyList<TextSegment>)[new(q + "?", false), new(q[..1] + ".", true)]).ToList();

        var losses = MaskedFineTune.Run(model, Chars, examples, new MaskedFineTuneSettings(Steps: 40, BatchSize: 4, LearningRate: 1e-2, WarmupSteps: 2));

        Assert.Equal(40, losses.Count);
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() / 2, $"loss {losses[0]:F3} → {losses[^1]:F3}");
    }
}
