using LlmCourse.Alignment;
using LlmCourse.Plotting;
using LlmCourse.Tests.Alignment;

namespace LlmCourse.Tests.Plotting;

public class MaskedTokensTests
{
    [Fact]
    public void Flagged_tokens_are_bracketed_and_coloured_apart_from_the_rest()
    {
        var chat = AlignmentFixtures.Template.Format(new ChatSample(null, "Spell backwards: tea", "aet"));

        var text = MaskedTokens.Text(AlignmentFixtures.Tokenizer, chat.Ids, chat.AnswerMask);
        var pieces = text.Split(' ');
        Assert.Equal(chat.Length, pieces.Length);
        Assert.Equal(chat.AnswerTokens, pieces.Count(p => p.StartsWith('[')));
        Assert.Equal("[<|end|>]", pieces[^1]);
        Assert.Equal("<|user|>", pieces[0]);

        var html = MaskedTokens.Html(AlignmentFixtures.Tokenizer, chat.Ids, chat.AnswerMask);
        Assert.Contains($"in the loss: {chat.AnswerTokens}", html);
        Assert.Contains($"context only: {chat.Length - chat.AnswerTokens}", html);
        Assert.Contains("&lt;|assistant|&gt;", html);
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => MaskedTokens.Text(AlignmentFixtures.Tokenizer, [1, 2, 3], [true]));
        Assert.Contains("one flag per token", e.Message);
    }
}
