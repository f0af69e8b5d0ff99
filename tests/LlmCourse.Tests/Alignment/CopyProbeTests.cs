using LlmCourse.Alignment;
using LlmCourse.Evaluation;

namespace LlmCourse.Tests.Alignment;

public class CopyProbeTests
{
    private static InstructionItem Reading(string user, string value) => new("r-1", "reading", $"reading#went|someone|{value}", null, user, "(a quote)", AnswerCheck.Exact);

    [Fact]
    public void A_probe_is_the_facts_then_the_asked_sentence_cut_before_the_name()
    {
        var item = Reading("Dr. Hale went to Brook. Mr. Wetbu travelled to Tonfesstar. Where did Mr. Wetbu go?", "Tonfesstar");
        var probe = Assert.Single(CopyProbe.Items([item]));
        Assert.Equal("Dr. Hale went to Brook. Mr. Wetbu travelled to Tonfesstar. Mr. Wetbu travelled to", probe.Prompt);
        Assert.Equal(" Tonfesstar", probe.Expected); // with its space: " Tonfesstar" is how the name sits in the text
        var first = Assert.Single(CopyProbe.Items([Reading("Mrs. Lee married Sir Ash Vale. Lady Kew went to Brook. Whom did Mrs. Lee marry?", "Sir Ash Vale")]));
        Assert.Equal("Mrs. Lee married Sir Ash Vale. Lady Kew went to Brook. Mrs. Lee married", first.Prompt);
    }

    [Fact]
    public void Every_held_out_reading_item_makes_a_probe_that_ends_where_its_name_starts()
    {
        var items = AlignmentFixtures.Reading.HeldOut.Where(i => i.Family == "reading").ToList();
        var probes = CopyProbe.Items(items);
        Assert.Equal(items.Count, probes.Count);
        foreach (var (probe, item) in probes.Zip(items))
        {
            var ends = System.Text.RegularExpressions.Regex.Matches(item.User, @"(?<!\b(?:Mr|Mrs|Dr))\. ");
            var facts = item.User[..(ends[^1].Index + 1)];
            Assert.StartsWith(facts + " ", probe.Prompt);
            var stem = probe.Prompt[(facts.Length + 1)..];
            Assert.True(facts.StartsWith(stem + probe.Expected + ".", StringComparison.Ordinal) || facts.Contains(". " + stem + probe.Expected + ".", StringComparison.Ordinal), probe.Prompt);
            Assert.Equal(item.Answer, " " + stem + probe.Expected + "."); // the reading answer quotes that sentence
        }
    }

    [Fact]
    public void The_scorer_wants_the_name_first_and_other_items_are_refused()
    {
        var probe = new TaskItem("p", "x", " Tonfesstar");
        Assert.True(CopyProbe.Scorer.IsCorrect(" Tonfesstar. Mr. Hale", probe));
        Assert.False(CopyProbe.Scorer.IsCorrect(" Tonfes", probe));
        Assert.False(CopyProbe.Scorer.IsCorrect(" the town of Tonfesstar", probe));
        var e = Assert.Throws<ArgumentException>(() => CopyProbe.Items([AlignmentFixtures.Instructions.HeldOut[0]]));
        Assert.Contains("reading items", e.Message);
    }
}
