using LlmCourse.Alignment;
using LlmCourse.Data;

namespace LlmCourse.Tests.Lenses;

public class AustenHomesTests
{
    [Fact]
    public void No_person_or_house_of_the_complaint_is_in_the_SFT_data()
    {
        var instructions = AlignmentDataFiles.LoadInstructions();
        var sftText = string.Join("\n", instructions.Train.Concat(instructions.HeldOut).Select(i => $"{i.System} {i.User} {i.Answer}"));
        foreach (var fact in AustenHomes.Facts)
        {
            Assert.DoesNotContain(fact.Person, sftText);
            Assert.DoesNotContain(fact.Home, sftText);
        }
    }

    [Fact]
    public void Invented_facts_are_deterministic_distinct_and_never_real()
    {
        var a = AustenHomes.Invented(100, seed: 5);
        Assert.Equal(a, AustenHomes.Invented(100, seed: 5));
        Assert.NotEqual(a, AustenHomes.Invented(100, seed: 6));
        Assert.Equal(100, a.Select(f => f.Person).Distinct().Count());
        var real = AustenHomes.Facts.SelectMany(f => new[] { f.Person, f.Home })
            .Concat(AustenFacts.Characters.SelectMany(c => new[] { c.Name, c.Home ?? "-" })).ToHashSet();
        Assert.DoesNotContain(a, f => real.Contains(f.Person) || real.Contains(f.Home));
    }

    [Fact]
    public void Asking_for_more_invented_people_than_exist_is_an_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AustenHomes.Invented(100_000));

    [Fact]
    public void Questions_name_the_person() =>
        Assert.All(Enumerable.Range(0, AustenHomes.QuestionForms.Count),
            form => Assert.Contains("Mr. Weston", AustenHomes.Question(AustenHomes.Facts[0], form)));
}
