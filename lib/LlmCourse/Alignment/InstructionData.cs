using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// Generates the course's instruction data, deterministically from a seed: short prompts with ideal answers, from
/// templates over <see cref="AustenFacts"/> (novel, home, spouse, sister), a copy-from-context task, and word tasks
/// (capitals, spelling backwards, counting letters and words, asking politely). Every answer is a few tokens, so a
/// whole conversation fits the 128-token context with room to spare, and every answer is checkable by
/// <see cref="InstructionItem.IsCorrect"/>.
/// </summary>
/// <remarks>
/// The split: held-out items never repeat a training instance (phrasing + slot values). For the word tasks the
/// held-out WORDS are new; for the context task the (person, town) pairs are new; for facts, the fact is taught in
/// training under other phrasings and asked in held-out under a phrasing training never used for it (a model cannot
/// answer a fact it was never told, so held-out facts measure recall under a new wording).
/// </remarks>
public static class InstructionData
{
    /// <summary>The system prompt that a quarter of the items carry (it asks for nothing the answer does not already do).</summary>
    public const string BriefSystem = "Answer briefly.";

    /// <summary>Generates the two splits. Same seed, same items, in the same order.</summary>
    public static InstructionSet Generate(long seed = Course.DefaultSeed)
    {
        var random = new SeededRandom(seed);
        var drafts = new List<Draft>();
        Facts(drafts, random);
        Context(drafts, random);
        WordTasks(drafts, random);
        Polite(drafts, random);
        var counters = new Dictionary<string, int>();
        InstructionItem Finish(Draft d)
        {
            var key = (d.HeldOut ? "heldout-" : "train-") + d.Family;
            counters[key] = counters.GetValueOrDefault(key) + 1;
            var system = random.NextLong(4) == 0 ? BriefSystem : null;
            return new InstructionItem($"{key}-{counters[key]:000}", d.Family, d.Instance, system, d.User, d.Answer, d.Check);
        }
        var items = drafts.Select(Finish).ToList();
        return new InstructionSet(items.Where(i => i.Id.StartsWith("train-", StringComparison.Ordinal)).ToList(),
                                  items.Where(i => i.Id.StartsWith("heldout-", StringComparison.Ordinal)).ToList());
    }

    private sealed record Draft(string Family, string Instance, string User, string Answer, AnswerCheck Check, bool HeldOut);

    private static readonly (string Family, Func<AustenCharacter, string?> Value, string[] Phrasings)[] Relations =
    [
        ("novel", c => c.Novel, ["Which novel is {0} in?", "In which book does {0} appear?", "Name the novel with {0} in it."]),
        ("home", c => c.Home, ["Where does {0} live?", "What is the name of {0}'s home?", "Name the home of {0}."]),
        ("spouse", c => c.Spouse, ["Whom does {0} marry?", "Who is the spouse of {0}?", "{0} marries whom?"]),
        ("sister", c => c.Sister, ["Who is {0}'s sister?", "Name a sister of {0}.", "{0} has a sister. Who is she?"]),
    ];

    private static void Facts(List<Draft> drafts, SeededRandom random)
    {
        foreach (var (family, value, phrasings) in Relations)
        {
            var facts = AustenFacts.Characters.Where(c => value(c) is not null).ToList();
            Shuffle(facts, random);
            var probed = facts.Count / 4; // a quarter of the facts get one phrasing held out
            for (var f = 0; f < facts.Count; f++)
            {
                var heldOutPhrasing = f < probed ? (int)random.NextLong(phrasings.Length) : -1;
                for (var p = 0; p < phrasings.Length; p++)
                    drafts.Add(new Draft(family, $"{family}#{p}|{facts[f].Name}", string.Format(phrasings[p], facts[f].Name),
                        value(facts[f])!, AnswerCheck.Contains, HeldOut: p == heldOutPhrasing));
            }
        }
    }

    private static readonly string[] People =
        ["Mr. Parker", "Miss Bates", "Mrs. Jennings", "Mr. Palmer", "Miss Steele", "Mrs. Norris",
         "Mr. Yates", "Mrs. Smith", "Mr. Elton", "Miss Taylor", "Mrs. Clay", "Mr. Price"];

    private static readonly string[] Towns =
        ["Bath", "London", "Brighton", "Lyme", "Portsmouth", "Bristol", "Oxford", "Weymouth", "Highbury", "Meryton", "Sanditon", "Cleveland"];

    private static readonly string[] ContextPhrasings = ["{0} went to {1}. Where did {0} go?", "{0} is staying in {1}. Where is {0}?"];

    /// <summary>The answer is in the prompt: the model must copy it (the "context" lens). The places are invented, so they never contradict the fact table.</summary>
    private static void Context(List<Draft> drafts, SeededRandom random)
    {
        var pairs = People.SelectMany(p => Towns.Select(t => (Person: p, Town: t))).ToList();
        Shuffle(pairs, random);
        var heldOut = pairs.Count / 6;
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = (int)random.NextLong(ContextPhrasings.Length);
            var (person, town) = pairs[i];
            drafts.Add(new Draft("context", $"context#{p}|{person}|{town}", string.Format(ContextPhrasings[p], person, town), town, AnswerCheck.Exact, i < heldOut));
        }
    }

    private static readonly string[] Words =
        ["tea", "ball", "walk", "letter", "house", "horse", "dance", "garden", "rain", "book", "music", "dinner", "party",
         "visit", "money", "pride", "heart", "smile", "card", "hat", "road", "park", "room", "fire", "glass", "chair",
         "note", "song", "lane", "shawl", "gown", "lace", "ribbon", "piano", "sofa", "door", "window", "table", "lamp",
         "candle", "cake", "bread", "wine", "fruit", "apple", "rose", "tree", "hill", "river", "field", "church", "town",
         "ship", "sea", "cold", "warm", "kind", "proud", "happy", "quiet", "young", "silly", "clever", "noble", "gentle",
         "plain", "grand", "merry", "sweet", "truth", "charm", "honour", "wit", "grace", "hope", "fear", "joy", "news"];

    /// <summary>Capitals, spelling backwards, counting letters and words; held-out items use words no training item of the task uses.</summary>
    private static void WordTasks(List<Draft> drafts, SeededRandom random)
    {
        var words = Words.ToList();
        Shuffle(words, random);
        var heldOutWords = words.Count / 5;
        for (var i = 0; i < words.Count; i++)
        {
            var (w, held) = (words[i], i < heldOutWords);
            drafts.Add(new Draft("capitals", $"capitals|{w}", $"Write in capitals: {w}", w.ToUpperInvariant(), AnswerCheck.Exact, held));
            drafts.Add(new Draft("backwards", $"backwards|{w}", $"Spell backwards: {w}", new string(w.Reverse().ToArray()), AnswerCheck.Exact, held));
            drafts.Add(new Draft("letters", $"letters|{w}", $"How many letters are in \"{w}\"?", w.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), AnswerCheck.Exact, held));
        }
        var seen = new HashSet<string>();
        foreach (var (held, count) in new[] { (false, 160), (true, 30) })
        {
            var pool = held ? words[..heldOutWords] : words[heldOutWords..];
            for (var made = 0; made < count;)
            {
                var length = 2 + (int)random.NextLong(5);
                var sentence = string.Join(' ', Enumerable.Range(0, length).Select(_ => pool[(int)random.NextLong(pool.Count)]));
                if (!seen.Add(sentence))
                    continue;
                drafts.Add(new Draft("words", $"words|{sentence}", $"How many words: {sentence}", length.ToString(System.Globalization.CultureInfo.InvariantCulture), AnswerCheck.Exact, held));
                made++;
            }
        }
    }

    private static readonly string[] Verbs = ["open", "close", "bring", "fetch", "read", "find", "pass", "take", "hold", "mend"];

    private static readonly string[] Objects = ["the door", "the letter", "the book", "the tea", "the window", "my hat", "the cards", "the music", "the basket", "your shawl"];

    /// <summary>An order made polite: copy it after "Please", end with a full stop. Held-out (verb, object) pairs are new.</summary>
    private static void Polite(List<Draft> drafts, SeededRandom random)
    {
        var pairs = Verbs.SelectMany(v => Objects.Select(o => $"{v} {o}")).ToList();
        Shuffle(pairs, random);
        var heldOut = pairs.Count / 5;
        for (var i = 0; i < pairs.Count; i++)
            drafts.Add(new Draft("polite", $"polite|{pairs[i]}", $"Say it politely: {pairs[i]}", $"Please {pairs[i]}.", AnswerCheck.Exact, i < heldOut));
    }

    private static void Shuffle<T>(List<T> list, SeededRandom random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextLong(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
