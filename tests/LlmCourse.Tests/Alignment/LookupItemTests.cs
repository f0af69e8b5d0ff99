using LlmCourse.Alignment;
using LlmCourse.Scaffolding;
using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Alignment;

public class LookupItemTests
{
    private static readonly LookupItem Item = new("t-1", "lookup#born|Mr. Ashwick", ReadingData.LookupSystem,
        "Where was Mr. Ashwick born?", "Mr. Ashwick", "Mr. Ashwick went to Tamirol. Mr. Ashwick was born in Brenmore.", " Brenmore");

    [Fact]
    public void The_loss_covers_the_call_and_the_answer_but_not_the_tools_result()
    {
        var template = AlignmentFixtures.Template;
        var tokenizer = template.Tokenizer;
        var chat = Item.Format(template);
        Assert.Equal(template.Format(Item.ToChat()).Ids, chat.Ids); // the same ids as the plain transcript
        var learned = chat.Ids.Where((_, i) => chat.AnswerMask[i]).ToList();
        Assert.Equal(Item.Call + Item.Answer + Specials.End, tokenizer.Decode(learned));
        var context = tokenizer.Decode(chat.Ids.Where((_, i) => !chat.AnswerMask[i]));
        Assert.EndsWith(Specials.Assistant + ToolLoop.FormatResult(Item.Result), context);
        // The masked tokens form one block: the result sits between the call and the answer.
        var firstLearned = Array.IndexOf(chat.AnswerMask, true);
        var flips = Enumerable.Range(firstLearned + 1, chat.Length - firstLearned - 1).Count(i => chat.AnswerMask[i] != chat.AnswerMask[i - 1]);
        Assert.Equal(2, flips);
    }

    [Fact]
    public void The_transcript_is_what_the_tool_loop_writes_at_answer_time()
    {
        // A scripted "model" that writes the ideal call (and a made-up result the loop must cut off), then the answer.
        var turns = new Queue<string>([$"{Item.Call} → Mr. Ashwick was born on the moon.", Item.Answer]);
        var loop = new ToolLoop(LookupItem.Tools([Item]), _ => turns.Dequeue());
        var run = loop.Run(AlignmentFixtures.Template.PromptText(Item.User, Item.System));
        Assert.Equal(Item.Reply, run.Reply);
        Assert.Equal(Item.Answer, run.Answer);
        Assert.True(Item.IsCorrect(run.Answer));
    }

    [Fact]
    public void The_tool_answers_for_its_people_only()
    {
        var other = Item with { Id = "t-2", Person = "Lady Brenmore", Result = "Lady Brenmore lives at Elmton Hall." };
        var tools = LookupItem.Tools([Item, other]);
        Assert.Equal(Item.Result, tools.Run(tools.FindCall("lookup( Mr. Ashwick )")!).Text);
        Assert.Equal(other.Result, tools.Run(tools.FindCall("lookup(Lady Brenmore)")!).Text);
        Assert.Equal("nothing found", tools.Run(tools.FindCall("lookup(Mr. Weston)")!).Text);
        var clash = Item with { Id = "t-3", Result = "Mr. Ashwick lives at Elmton Hall." };
        var e = Assert.Throws<ArgumentException>(() => LookupItem.Tools([Item, clash]));
        Assert.Contains("Mr. Ashwick", e.Message);
    }

    [Fact]
    public void A_transcript_longer_than_the_context_is_skipped_and_counted()
    {
        var template = AlignmentFixtures.Template;
        var data = SftData.Build([Item, Item with { Result = string.Concat(Enumerable.Repeat("Mr. Ashwick went to Tamirol. ", 10)) + Item.Result }], template);
        Assert.Single(data.Examples);
        Assert.Equal(1, data.Skipped.Single().Index);
    }
}
