using LlmCourse.Data;
using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// Generates reading lessons whose answers cannot be memorised, deterministically from a seed. Every item is about
/// invented people, houses, towns and horses (<see cref="InventedNames"/>: each name is drawn once in the whole data
/// set), so the only way to lower the loss is to find the answer in the text the model is given:
/// <list type="bullet">
/// <item><b>reading</b>: one to three fact sentences, then a question about one of them; the answer quotes the
/// sentence that answers it: "Mr. Wetbu was born in Quastell. Lady Thrain lives at Mossick Lodge. Where was Mr.
/// Wetbu born?" → " Mr. Wetbu was born in Quastell." The other sentences are distractors: another person with the
/// same relation, or the same person with another relation.</item>
/// <item><b>repeat</b>: "Repeat exactly: Ashwick Tamirol Lodge" → " Ashwick Tamirol Lodge", the plainest copy.</item>
/// <item><b>lookup</b>: the fact is not in the prompt; a system turn offers a tool, and the ideal reply calls
/// <c>lookup(person)</c>, reads the result the tool loop writes (the fact, about a quarter of the time with another fact about
/// the same person) and quotes the sentence that answers (<see cref="LookupItem"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>
/// Why quote, and why the leading space. The base model cannot copy at all: trained on 1.4M tokens of Austen, which
/// rarely repeats a name within 128 tokens, it never grew an induction circuit (the mechanism that finds an earlier
/// occurrence of the current token and copies what followed; <see cref="CopyProbe"/> measures it). Answering with
/// the bare name asks for two hard steps at once: find where the name is, then copy it. Quoting the sentence turns
/// reading into copying from the first token on: the subject comes from the question, and after the subject each
/// next token is what followed it in the fact. And every answer starts with a space because that is how the
/// sentence sits in the prompt, after a space: a byte-level BPE cuts " Mr. Wetbu" and "Mr. Wetbu" into different
/// tokens, so an answer without the space could not be copied token by token. Checks trim the answer.
/// </para>
/// <para>
/// An item's <see cref="InstructionItem.Instance"/> names the relation, the person and the asked value:
/// "reading#born|Mr. Wetbu|Quastell".
/// </para>
/// <para>
/// Held-out items are generated after the training items from the same generator, which never repeats a word: no
/// held-out person, place or answer occurs anywhere in training. The words of the lenses notebook's real facts
/// (<see cref="AustenHomes.Facts"/>) and of the SFT fact table are avoided, so neither appears in these lessons.
/// </para>
/// </remarks>
public static class ReadingData
{
    /// <summary>The system turn that offers the tool (the lenses notebook uses the same).</summary>
    public const string LookupSystem = "Tool: lookup(name) finds facts about a person.";

    /// <summary>Default sizes: reading items for training / held out, lookup items for training / held out.</summary>
    public const int TrainCount = 2400, HeldOutCount = 200, LookupTrainCount = 600, LookupHeldOutCount = 60;

    /// <summary>Longest text (facts and question, in characters) of a reading item: with the quote it fits a 128-token context.</summary>
    public const int MaxReadingCharacters = 160;

    /// <summary>Longest tool-use transcript (question, call argument, result and quote, in characters) that gets a second fact in its result.</summary>
    public const int MaxLookupCharacters = 160;

    /// <summary>Longest text of a repeat item, in characters (invented names cost up to a token per one and a half characters).</summary>
    public const int MaxRepeatCharacters = 48;

    /// <summary>Default sizes of the repeat family (copy the names after "Repeat exactly:"), training / held out.</summary>
    public const int RepeatTrainCount = 1200, RepeatHeldOutCount = 100;

    private sealed record Relation(string Key, string[] Statements, string[] Questions, Func<InventedNames, string> Value);

    /// <summary>
    /// The relations: how a fact is stated (always subject first, so a quote starts with the person asked about) and
    /// asked. "home" uses the instruction data's three home questions, the ones the lenses notebook asks.
    /// </summary>
    private static readonly Relation[] Relations =
    [
        new("home", ["{0} lives at {1}.", "{0} has a house called {1}.", "{0}'s house is called {1}."],
            ["Where does {0} live?", "What is the name of {0}'s home?", "Name the home of {0}."], n => n.House()),
        new("went", ["{0} went to {1}.", "{0} travelled to {1}."], ["Where did {0} go?", "To which town did {0} go?"], n => n.Place()),
        new("staying", ["{0} is staying in {1}.", "{0} is staying at {1}."], ["Where is {0} staying?", "Where is {0}?"], n => n.Place()),
        new("born", ["{0} was born in {1}."], ["Where was {0} born?", "In which town was {0} born?"], n => n.Place()),
        new("married", ["{0} married {1}.", "{0} is married to {1}."], ["Whom did {0} marry?", "Who is married to {0}?"], n => n.Person()),
        new("horse", ["{0} has a horse called {1}.", "{0} rides a horse named {1}."], ["What is {0}'s horse called?", "Name the horse of {0}."], n => n.Place()),
    ];

    /// <summary>The relation keys, in a fixed order ("home", "went", ...).</summary>
    public static IReadOnlyList<string> RelationKeys { get; } = Relations.Select(r => r.Key).ToList();

    /// <summary>
    /// Words no invented name may be: every word of the lenses notebook's real facts and of the SFT fact table, so
    /// neither leaks into training through a name that happens to collide.
    /// </summary>
    public static IReadOnlySet<string> AvoidedWords { get; } = AustenHomes.Facts.SelectMany(f => new[] { f.Person, f.Home })
        .Concat(AustenFacts.Characters.SelectMany(c => new[] { c.Name, c.Home, c.Spouse, c.Sister }).OfType<string>())
        .SelectMany(s => s.Split(' ')).Select(w => w.Trim('.')).Where(w => w.Length > 0)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Generates both families for both splits. Same seed and sizes, same items in the same order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static ReadingSet Generate(long seed = Course.DefaultSeed, int train = TrainCount, int heldOut = HeldOutCount,
        int lookupTrain = LookupTrainCount, int lookupHeldOut = LookupHeldOutCount)
    {
        foreach (var (name, value) in new[] { (nameof(train), train), (nameof(heldOut), heldOut), (nameof(lookupTrain), lookupTrain), (nameof(lookupHeldOut), lookupHeldOut) })
            ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        var random = new SeededRandom(seed ^ 0x5245_4144); // a stream of its own ("READ"), unlike the instruction generator's
        var names = new InventedNames(random, AvoidedWords);
        // Training first, held out after: the generator never repeats a word, so held-out names are new by construction.
        var trainItems = Enumerable.Range(1, train).Select(i => Reading($"train-reading-{i:0000}", random, names))
            .Concat(Enumerable.Range(1, RepeatTrainCount * train / TrainCount).Select(i => Repeat($"train-repeat-{i:0000}", random, names))).ToList();
        var lookupTrainItems = Enumerable.Range(1, lookupTrain).Select(i => Lookup($"train-lookup-{i:0000}", random, names)).ToList();
        var heldOutItems = Enumerable.Range(1, heldOut).Select(i => Reading($"heldout-reading-{i:000}", random, names))
            .Concat(Enumerable.Range(1, RepeatHeldOutCount * heldOut / HeldOutCount).Select(i => Repeat($"heldout-repeat-{i:000}", random, names))).ToList();
        var lookupHeldOutItems = Enumerable.Range(1, lookupHeldOut).Select(i => Lookup($"heldout-lookup-{i:000}", random, names)).ToList();
        return new ReadingSet(trainItems, heldOutItems, lookupTrainItems, lookupHeldOutItems);
    }

    private sealed record Fact(string Person, Relation Relation, string Value, string Sentence);

    private static Fact NewFact(string person, Relation relation, SeededRandom random, InventedNames names)
    {
        var value = relation.Value(names);
        return new Fact(person, relation, value, string.Format(Pick(relation.Statements, random), person, value));
    }

    /// <summary>
    /// The asked fact and its distractors: none (a quarter of the time), one, or (up to <paramref name="most"/>) two;
    /// about someone else only when <paramref name="others"/>.
    /// </summary>
    private static (Fact Asked, List<Fact> All) Facts(SeededRandom random, InventedNames names, int most, bool others)
    {
        var asked = NewFact(names.Person(), Pick(Relations, random), random, names);
        var all = new List<Fact> { asked };
        var distractors = Math.Min(most, random.NextLong(4) switch { 0 => 0, 1 or 2 => 1, _ => 2 });
        for (var d = 0; d < distractors; d++)
        {
            if (others && random.NextLong(2) == 0) // someone else, the same relation: the person decides
                all.Add(NewFact(names.Person(), asked.Relation, random, names));
            else // the same person, another relation: the question decides
                all.Add(NewFact(asked.Person, Pick(Relations.Where(r => all.All(f => f.Person != asked.Person || f.Relation != r)).ToArray(), random), random, names));
        }
        Shuffle(all, random);
        return (asked, all);
    }

    private static InstructionItem Reading(string id, SeededRandom random, InventedNames names)
    {
        var (asked, all) = Facts(random, names, most: 2, others: true);
        var question = string.Format(Pick(asked.Relation.Questions, random), asked.Person);
        // Three long sentences of invented names (two characters a token) would not leave room for the quote in a
        // 128-token context: drop distractors, the last first, until the text is short enough.
        while (all.Count > 1 && all.Sum(f => f.Sentence.Length + 1) + question.Length > MaxReadingCharacters)
            all.Remove(all.Last(f => f != asked));
        var user = string.Join(" ", all.Select(f => f.Sentence)) + " " + question;
        var system = random.NextLong(4) == 0 ? InstructionData.BriefSystem : null;
        return new InstructionItem(id, "reading", $"reading#{asked.Relation.Key}|{asked.Person}|{asked.Value}", system, user, " " + asked.Sentence, AnswerCheck.Exact);
    }

    /// <summary>The plainest copy: one to four invented names after "Repeat exactly:", the answer is the same text.</summary>
    private static InstructionItem Repeat(string id, SeededRandom random, InventedNames names)
    {
        var count = 1 + (int)random.NextLong(4);
        var parts = Enumerable.Range(0, count).Select(_ => random.NextLong(3) switch { 0 => names.Person(), 1 => names.House(), _ => names.Place() }).ToList();
        while (parts.Count > 1 && parts.Sum(p => p.Length + 1) - 1 > MaxRepeatCharacters) // keep the answer within the evals' token budget
            parts.RemoveAt(parts.Count - 1);
        var text = string.Join(" ", parts);
        return new InstructionItem(id, "repeat", $"repeat|{text}", null, $"Repeat exactly: {text}", " " + text, AnswerCheck.Exact);
    }

    private static LookupItem Lookup(string id, SeededRandom random, InventedNames names)
    {
        // The transcript holds the facts, the call and the quote, so the result is short: the fact, and about a quarter of the
        // time another fact about the same person (a lookup finds facts about its person, not about others).
        var (asked, all) = Facts(random, names, most: random.NextLong(3) == 0 ? 1 : 0, others: false);
        var question = string.Format(Pick(asked.Relation.Questions, random), asked.Person);
        if (all.Count > 1 && question.Length + asked.Person.Length + all.Sum(f => f.Sentence.Length + 1) + asked.Sentence.Length > MaxLookupCharacters)
            all = [asked]; // the second fact would push the transcript out of the context
        return new LookupItem(id, $"lookup#{asked.Relation.Key}|{asked.Person}|{asked.Value}", LookupSystem, question, asked.Person,
            string.Join(" ", all.Select(f => f.Sentence)), " " + asked.Sentence);
    }

    private static T Pick<T>(IReadOnlyList<T> list, SeededRandom random) => list[(int)random.NextLong(list.Count)];

    private static void Shuffle<T>(List<T> list, SeededRandom random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextLong(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
