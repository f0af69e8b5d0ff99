using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class PropertyJudgeTests
{
    private static readonly ChatTemplate Template = AlignmentFixtures.Template;

    private static SampledResponse Response(string text, bool finished = true) =>
        new([.. Template.Tokenizer.Encode(text), .. finished ? new[] { Template.EndId } : []], finished);

    [Fact]
    public void Scores_one_only_for_finished_correct_concise_one_line_answers()
    {
        var items = AlignmentFixtures.Instructions.Train.Take(40).ToList();
        var judge = new PropertyJudge(Template, items);
        foreach (var item in items)
        {
            var prompt = Template.PromptIds(item.User, item.System);
            var wrong = items.First(i => !item.IsCorrect(i.Answer) && AnswerQuality.IsConcise(item, i.Answer)).Answer;
            var answers = new[]
            {
                Response(item.Answer),                                          // good
                Response(item.Answer, finished: false),                         // cut off at the budget: did not stop
                Response(wrong),                                                // wrong
                Response(item.Answer + " and so on and so forth, my dear"),     // too long
                Response(item.Answer + "\n\nCHAPTER I"),                        // runs on
            };
            Assert.Equal([1.0, 0, 0, 0, 0], judge.Score(prompt, answers));
            Assert.Same(item, judge.ItemOf(prompt));
            Assert.Equal([null, RejectionKind.RunsOn, RejectionKind.Wrong, RejectionKind.Rambling, RejectionKind.RunsOn],
                answers.Select(a => judge.Fault(item, a)).ToArray());
            Assert.Equal(item.Answer, judge.Text(answers[0]));
        }
        Assert.Equal(items.Count, judge.Prompts.Count);
    }

    [Fact]
    public void Unknown_prompts_and_ambiguous_items_are_clear_errors()
    {
        var items = AlignmentFixtures.Instructions.Train.Take(5).ToList();
        var judge = new PropertyJudge(Template, items);
        var stranger = AlignmentFixtures.Instructions.HeldOut[0];
        var e = Assert.Throws<ArgumentException>(() => judge.Score(Template.PromptIds(stranger.User, stranger.System), [Response("x")]));
        Assert.Contains("not one of the 5 items", e.Message);
        var twin = items[0] with { Id = "twin", Answer = items[0].Answer + " (not)" };
        Assert.Contains("same prompt but different answers", Assert.Throws<ArgumentException>(() => new PropertyJudge(Template, [.. items, twin])).Message);
        Assert.Contains("No items", Assert.Throws<ArgumentException>(() => new PropertyJudge(Template, [])).Message);
    }
}
