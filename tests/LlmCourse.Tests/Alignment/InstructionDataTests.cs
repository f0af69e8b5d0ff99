using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class InstructionDataTests
{
    private static readonly InstructionSet Data = AlignmentFixtures.Instructions;

    [Fact]
    public void The_same_seed_gives_the_same_items_and_another_seed_other_items()
    {
        var again = InstructionData.Generate();
        Assert.Equal(Data.Train, again.Train);
        Assert.Equal(Data.HeldOut, again.HeldOut);
        var other = InstructionData.Generate(seed: 7);
        Assert.NotEqual(Data.HeldOut.Select(i => i.Instance), other.HeldOut.Select(i => i.Instance));
    }

    [Fact]
    public void Train_and_held_out_share_no_template_instance_and_no_prompt()
    {
        Assert.Empty(Data.Train.Select(i => i.Instance).Intersect(Data.HeldOut.Select(i => i.Instance)));
        Assert.Empty(Data.Train.Select(i => i.User).Intersect(Data.HeldOut.Select(i => i.User)));
        // Word tasks hold out whole words: no held-out word occurs in a training prompt of the same task.
        foreach (var family in new[] { "capitals", "backwards", "letters" })
        {
            var trainPrompts = Data.Train.Where(i => i.Family == family).Select(i => i.User.Split(' ')[^1].Trim('"', '?')).ToHashSet();
            Assert.All(Data.HeldOut.Where(i => i.Family == family), i => Assert.DoesNotContain(i.User.Split(' ')[^1].Trim('"', '?'), trainPrompts));
        }
    }

    [Fact]
    public void Every_family_is_in_both_splits_and_ids_are_unique()
    {
        var families = new[] { "novel", "home", "spouse", "sister", "context", "capitals", "backwards", "letters", "words", "polite" };
        Assert.Equal(families.Order(), Data.Families.Order());
        foreach (var family in families)
        {
            Assert.Contains(Data.Train, i => i.Family == family);
            Assert.Contains(Data.HeldOut, i => i.Family == family);
        }
        var ids = Data.Train.Concat(Data.HeldOut).Select(i => i.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.InRange(Data.HeldOut.Count, 100, Data.Train.Count / 3);
    }

    [Fact]
    public void Every_sample_fits_the_context_with_its_answer()
    {
        var template = AlignmentFixtures.Template;
        var lengths = Data.Train.Concat(Data.HeldOut).Select(i => template.CountTokens(i.ToChat())).ToList();
        Assert.True(lengths.Max() <= 64, $"the longest sample has {lengths.Max()} tokens; answers must stay short");
        var sft = SftData.Build(Data.Train.Select(i => i.ToChat()), template);
        Assert.Empty(sft.Skipped);
    }

    [Fact]
    public void Ideal_answers_pass_their_own_check_and_answers_are_scored_by_it()
    {
        Assert.All(Data.Train.Concat(Data.HeldOut), i => Assert.True(i.IsCorrect(i.Answer), i.Id));
        var capitals = Data.HeldOut.First(i => i.Family == "capitals");
        Assert.True(capitals.IsCorrect($" {capitals.Answer}\n"));
        Assert.False(capitals.IsCorrect(capitals.Answer.ToLowerInvariant()));
        var fact = Data.HeldOut.First(i => i.Family == "sister");
        Assert.True(fact.IsCorrect($"{fact.Answer}, of course"));
        Assert.False(fact.IsCorrect(""));
        Assert.False(fact.IsCorrect(null));
    }

    [Fact]
    public void Facts_come_from_the_table()
    {
        foreach (var item in Data.HeldOut.Where(i => i.Family == "spouse"))
        {
            var person = AustenFacts.Characters.Single(c => item.Instance.EndsWith("|" + c.Name, StringComparison.Ordinal));
            Assert.Equal(person.Spouse, item.Answer);
            Assert.Contains(person.Name, item.User);
        }
    }
}
