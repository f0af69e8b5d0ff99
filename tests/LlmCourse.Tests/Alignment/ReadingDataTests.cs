using System.Text.RegularExpressions;
using LlmCourse.Alignment;
using LlmCourse.Data;
using LlmCourse.Training;

namespace LlmCourse.Tests.Alignment;

public partial class ReadingDataTests
{
    private static readonly ReadingSet Data = AlignmentFixtures.Reading;

    private static IEnumerable<string> Texts(InstructionItem i) => [i.User, i.Answer];

    private static IEnumerable<string> Texts(LookupItem i) => [i.User, i.Result, i.Answer];

    private static IEnumerable<string> TrainTexts => Data.Train.SelectMany(Texts).Concat(Data.LookupTrain.SelectMany(Texts));

    private static IEnumerable<string> HeldOutTexts => Data.HeldOut.SelectMany(Texts).Concat(Data.LookupHeldOut.SelectMany(Texts));

    [GeneratedRegex(@"[A-Za-z]+")]
    private static partial Regex Word();

    private static IEnumerable<string> Words(string text) => Word().Matches(text).Select(m => m.Value);

    /// <summary>The sentences of a text: split after a full stop that does not end a title ("Mr.", "Mrs.", "Dr.").</summary>
    [GeneratedRegex(@"(?<!\b(?:Mr|Mrs|Dr))\. ")]
    private static partial Regex SentenceEnd();

    private static string[] Sentences(string text) => SentenceEnd().Split(text);

    [Fact]
    public void The_same_seed_gives_the_same_items_and_another_seed_other_items()
    {
        var again = ReadingData.Generate();
        Assert.Equal(Data.Train, again.Train);
        Assert.Equal(Data.HeldOut, again.HeldOut);
        Assert.Equal(Data.LookupTrain, again.LookupTrain);
        Assert.Equal(Data.LookupHeldOut, again.LookupHeldOut);
        var other = ReadingData.Generate(seed: 7, train: 50, heldOut: 10, lookupTrain: 10, lookupHeldOut: 5);
        Assert.NotEqual(Data.HeldOut.Take(10).Select(i => i.User), other.HeldOut.Select(i => i.User));
        Assert.Equal([50, 10, 10, 5], new[] { other.Train.Count(i => i.Family == "reading"), other.HeldOut.Count(i => i.Family == "reading"), other.LookupTrain.Count, other.LookupHeldOut.Count });
    }

    [Fact]
    public void Held_out_items_name_no_one_and_nothing_that_training_names()
    {
        // Invented words occur in one item each; words shared between the splits must be the fixed vocabulary of the
        // templates (titles, first names, "lives", "Where", ...), which every few items repeat.
        var trainItemsWith = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in Data.Train.Select(i => i.User).Concat(Data.LookupTrain.Select(i => i.User + " " + i.Result)))
            foreach (var word in Words(text).Distinct())
                trainItemsWith[word] = trainItemsWith.GetValueOrDefault(word) + 1;
        var shared = HeldOutTexts.SelectMany(Words).Distinct().Where(trainItemsWith.ContainsKey).ToList();
        Assert.NotEmpty(shared);
        Assert.All(shared, w => Assert.True(trainItemsWith[w] >= 20, $"'{w}' is in held-out items and in only {trainItemsWith[w]} training items: an invented name leaked"));
        var trainText = string.Join("\n", TrainTexts);
        var heldOutValues = Data.HeldOut.Where(i => i.Family == "reading").Select(i => i.Instance).Concat(Data.LookupHeldOut.Select(i => i.Instance))
            .Select(instance => instance.Split('|')[^1]).ToList();
        Assert.Equal(Data.HeldOut.Count(i => i.Family == "reading") + Data.LookupHeldOut.Count, heldOutValues.Distinct().Count());
        Assert.All(heldOutValues, value => Assert.False(Regex.IsMatch(trainText, @"\b" + Regex.Escape(value) + @"\b"), $"the held-out value '{value}' is in the training data"));
    }

    [Fact]
    public void The_lenses_notebooks_real_facts_are_in_no_item_of_any_training_data()
    {
        var instructions = AlignmentFixtures.Instructions;
        var everything = TrainTexts.Concat(HeldOutTexts)
            .Concat(instructions.Train.Concat(instructions.HeldOut).SelectMany(i => new[] { i.User, i.Answer })).ToList();
        foreach (var fact in AustenHomes.Facts)
        {
            Assert.DoesNotContain(everything, t => t.Contains(fact.Person, StringComparison.Ordinal));
            Assert.DoesNotContain(everything, t => t.Contains(fact.Home, StringComparison.Ordinal));
        }
        // Not even one of their distinctive words (a surname, a house) turns up as an invented name.
        var distinctive = AustenHomes.Facts.SelectMany(f => Words(f.Person + " " + f.Home))
            .Where(w => w.Length > 3 && !InventedNames.Titles.Contains(w) && !InventedNames.HouseKinds.Contains(" " + w)).ToHashSet();
        Assert.Contains("Randalls", distinctive);
        Assert.Empty(TrainTexts.Concat(HeldOutTexts).SelectMany(Words).Where(distinctive.Contains).Distinct());
    }

    [Fact]
    public void The_answer_quotes_the_one_sentence_of_the_text_that_answers_the_question()
    {
        foreach (var item in Data.Train.Concat(Data.HeldOut))
        {
            Assert.True(item.IsCorrect(item.Answer));
            Assert.StartsWith(" ", item.Answer); // how the text sits in the prompt: after a space
            if (item.Family == "repeat")
            {
                Assert.Equal("Repeat exactly:" + item.Answer, item.User);
                continue;
            }
            Assert.Equal("reading", item.Family);
            var sentences = Sentences(item.User);
            Assert.Single(sentences[..^1], s => s + "." == item.Answer.Trim() || s == item.Answer.Trim());
            var parts = item.Instance.Split('|');
            Assert.EndsWith($" {parts[^1]}.", item.Answer);   // the quote ends with the asked value
            Assert.Matches("^ " + Regex.Escape(parts[1]) + "('s)? ", item.Answer); // and starts with the person asked about
            Assert.Contains(parts[1], sentences[^1]);
            Assert.Single(Regex.Matches(item.User, Regex.Escape(parts[^1]) + @"\b"));
        }
        foreach (var item in Data.LookupTrain.Concat(Data.LookupHeldOut))
        {
            var value = item.Instance.Split('|')[^1];
            Assert.DoesNotContain(value, item.User, StringComparison.Ordinal); // the fact must be looked up
            Assert.Contains(item.Person, item.User, StringComparison.Ordinal);
            Assert.Contains(item.Answer.Trim(), Sentences(item.Result).Select(s => s.EndsWith('.') ? s : s + "."));
            Assert.Single(Regex.Matches(item.Result, Regex.Escape(value) + @"\b"));
            Assert.All(Sentences(item.Result), fact => Assert.StartsWith(item.Person, fact));
            Assert.Equal(ReadingData.LookupSystem, item.System);
        }
        var template = AlignmentFixtures.Template;
        var longest = Data.Train.Concat(Data.HeldOut).Select(i => i.Answer).Concat(Data.LookupTrain.Concat(Data.LookupHeldOut).Select(i => i.Answer))
            .Max(a => template.Tokenizer.Encode(a).Length);
        Assert.True(longest < SftRecipe.ReadingAnswerTokens, $"the longest answer has {longest} tokens; the evals stop at {SftRecipe.ReadingAnswerTokens}");
    }

    [Fact]
    public void Distractors_and_every_relation_and_question_form_occur()
    {
        var facts = Data.Train.Where(i => i.Family == "reading").Select(i => Sentences(i.User).Length - 1).ToList(); // the last sentence is the question
        Assert.Equal(1, facts.Min());
        Assert.Equal(3, facts.Max());
        Assert.InRange(facts.Count(f => f > 1), facts.Count / 2, facts.Count * 7 / 8);
        Assert.InRange(Data.Train.Count(i => i.Family == "repeat"), 100, facts.Count);
        foreach (var relation in ReadingData.RelationKeys)
        {
            Assert.Contains(Data.Train, i => i.Instance.StartsWith($"reading#{relation}|", StringComparison.Ordinal));
            Assert.Contains(Data.HeldOut, i => i.Instance.StartsWith($"reading#{relation}|", StringComparison.Ordinal));
            Assert.Contains(Data.LookupTrain, i => i.Instance.StartsWith($"lookup#{relation}|", StringComparison.Ordinal));
        }
        // The lenses notebook asks "Where does X live?" and its two siblings: all three are taught.
        foreach (var form in AustenHomes.QuestionForms)
        {
            var pattern = "^" + Regex.Escape(form).Replace(@"\{0}", ".+") + "$";
            Assert.Contains(Data.Train, i => i.Family == "reading" && Regex.IsMatch(Sentences(i.User)[^1], pattern));
        }
    }

    [Fact]
    public void Every_item_fits_the_context_and_all_but_a_few_transcripts_do()
    {
        var template = AlignmentFixtures.Template;
        Assert.Empty(SftData.Build(Data.Train.Concat(Data.HeldOut).Select(i => i.ToChat()), template).Skipped);
        Assert.All(Data.Train.Concat(Data.HeldOut).Where(i => i.Family == "reading"), i => Assert.True(i.User.Length <= ReadingData.MaxReadingCharacters, i.User));
        var transcripts = SftData.Build(Data.LookupTrain.Concat(Data.LookupHeldOut), template);
        Assert.InRange(transcripts.Skipped.Count, 0, (Data.LookupTrain.Count + Data.LookupHeldOut.Count) / 20);
        Assert.All(Data.LookupHeldOut, i => Assert.True(template.PromptIds(i.User, i.System).Length < 64));
    }

    [Fact]
    public void Invented_names_never_repeat_and_avoid_what_they_are_told()
    {
        var names = new InventedNames(new SeededRandom(5), ["Ashwick"]);
        var words = Enumerable.Range(0, 5000).Select(_ => names.Word()).ToList();
        Assert.Equal(words.Count, words.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.DoesNotContain("Ashwick", words, StringComparer.OrdinalIgnoreCase);
        Assert.All(words, w => Assert.True(char.IsUpper(w[0]) && w.Length >= 4, w));
        Assert.Contains("Randalls", ReadingData.AvoidedWords);
        Assert.Contains("Pemberley", ReadingData.AvoidedWords);
    }

    [Fact]
    public void Negative_sizes_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ReadingData.Generate(heldOut: -1));
        Assert.Equal("heldOut", e.ParamName);
    }
}
