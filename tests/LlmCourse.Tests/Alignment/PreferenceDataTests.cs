using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class PreferenceDataTests
{
    private static readonly PreferenceSet Pairs = PreferenceData.Generate(AlignmentFixtures.Instructions);

    private static readonly Dictionary<string, InstructionItem> Items =
        AlignmentFixtures.Instructions.Train.Concat(AlignmentFixtures.Instructions.HeldOut).ToDictionary(i => i.Id);

    [Fact]
    public void Chosen_answers_have_the_property_and_rejected_ones_lack_it()
    {
        foreach (var pair in Pairs.Train.Concat(Pairs.HeldOut))
        {
            var item = Items[pair.ItemId];
            Assert.True(AnswerQuality.IsGood(item, pair.Chosen), pair.Id);
            Assert.False(AnswerQuality.IsGood(item, pair.Rejected), $"{pair.Id}: '{pair.Rejected}'");
            Assert.Equal(item.User, pair.User);
        }
    }

    [Fact]
    public void Each_kind_fails_the_property_in_its_own_way()
    {
        var all = Pairs.Train.Concat(Pairs.HeldOut).ToList();
        Assert.All(Enum.GetValues<RejectionKind>(), kind => Assert.Contains(all, p => p.Kind == kind));
        foreach (var pair in all)
        {
            var item = Items[pair.ItemId];
            switch (pair.Kind)
            {
                case RejectionKind.Wrong:
                    Assert.False(item.IsCorrect(pair.Rejected), pair.Id);
                    Assert.True(AnswerQuality.IsOneLine(pair.Rejected));
                    break;
                case RejectionKind.Rambling:
                    Assert.False(AnswerQuality.IsConcise(item, pair.Rejected), pair.Id);
                    Assert.StartsWith(item.Answer, pair.Rejected);
                    break;
                default:
                    Assert.False(AnswerQuality.IsOneLine(pair.Rejected), pair.Id);
                    Assert.StartsWith(item.Answer, pair.Rejected);
                    break;
            }
        }
    }

    [Fact]
    public void Generation_is_deterministic_and_held_out_pairs_come_from_held_out_items()
    {
        var again = PreferenceData.Generate(InstructionData.Generate());
        Assert.Equal(Pairs.Train, again.Train);
        Assert.Equal(Pairs.HeldOut, again.HeldOut);
        var heldOutIds = AlignmentFixtures.Instructions.HeldOut.Select(i => i.Id).ToHashSet();
        Assert.All(Pairs.HeldOut, p => Assert.Contains(p.ItemId, heldOutIds));
        Assert.All(Pairs.Train, p => Assert.DoesNotContain(p.ItemId, heldOutIds));
    }

    [Fact]
    public void Bad_pairs_are_refused_with_a_reason()
    {
        var good = Pairs.Train[0];
        var same = Assert.Throws<ArgumentException>(() => (good with { Rejected = good.Chosen + " " }).Validate());
        Assert.Contains("chosen == rejected", same.Message);
        var empty = Assert.Throws<ArgumentException>(() => (good with { Chosen = "" }).Validate());
        Assert.Contains("empty chosen answer", empty.Message);
    }

    [Fact]
    public void A_pair_too_long_for_the_context_is_reported_as_not_fitting()
    {
        var pair = Pairs.Train[0];
        Assert.True(pair.TryFormat(AlignmentFixtures.Template, out var chosen, out var rejected));
        Assert.Equal(AlignmentFixtures.Template.PromptIds(pair.User, pair.System), chosen.Ids[..Array.IndexOf(chosen.AnswerMask, true)]);
        Assert.NotEqual(chosen.Ids, rejected.Ids);

        var rambling = pair with { Rejected = string.Join(' ', Enumerable.Repeat("and so on,", 80)) };
        Assert.False(rambling.TryFormat(AlignmentFixtures.Template, out _, out _));
    }
}
