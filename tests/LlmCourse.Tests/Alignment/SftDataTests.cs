using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class SftDataTests
{
    [Fact]
    public void Conversations_longer_than_the_context_are_skipped_and_counted()
    {
        var longAnswer = string.Join(' ', Enumerable.Repeat("Elizabeth walked to Meryton.", 40));
        var samples = new[]
        {
            new ChatSample(null, "Write in capitals: tea", "TEA"),
            new ChatSample(null, "Tell me a story.", longAnswer),
            new ChatSample("Answer briefly.", "Spell backwards: tea", "aet"),
        };

        var data = SftData.Build(samples, AlignmentFixtures.Template);

        Assert.Equal(2, data.Examples.Count);
        var skipped = Assert.Single(data.Skipped);
        Assert.Equal(1, skipped.Index);
        Assert.True(skipped.Tokens > 128);
        Assert.Contains("1 skipped", data.ToString());
    }

    [Fact]
    public void An_empty_answer_is_an_error_naming_the_sample()
    {
        var samples = new[] { new ChatSample(null, "Write in capitals: tea", "TEA"), new ChatSample(null, "Spell backwards: tea", "") };
        var e = Assert.Throws<ArgumentException>(() => SftData.Build(samples, AlignmentFixtures.Template));
        Assert.Contains("Sample #1", e.Message);
        Assert.Contains("empty", e.Message);
    }
}
