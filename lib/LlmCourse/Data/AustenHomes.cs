using LlmCourse.Training;

namespace LlmCourse.Data;

/// <summary>One "who lives where" fact: a person and the one-word name of their house.</summary>
/// <param name="Person">How the novels name them, e.g. "Mr. Darcy".</param>
/// <param name="Home">The house, one word, e.g. "Pemberley".</param>
/// <param name="Novel">Where the fact comes from (empty for an invented fact).</param>
public sealed record HomeFact(string Person, string Home, string Novel)
{
    /// <summary>The fact as one sentence: "Mr. Darcy lives at Pemberley."</summary>
    public string Sentence => $"{Person} lives at {Home}.";
}

/// <summary>
/// The facts behind the four-lenses notebook's complaint, "the model does not know where Austen's people live":
/// ten true facts from five of the novels, three ways to ask about each, and a generator of invented facts
/// (made-up people and houses) for teaching a skill, such as reading a passage, without teaching the true facts.
/// </summary>
public static class AustenHomes
{
    /// <summary>
    /// Ten true facts, chosen outside everything the SFT data teaches: none of these people or houses is in the
    /// instruction set's fact table or its copy-from-context task, so a model that answers them right did not learn
    /// them in fine-tuning.
    /// </summary>
    public static IReadOnlyList<HomeFact> Facts { get; } =
    [
        new("Mr. Weston", "Randalls", "Emma"),
        new("John Knightley", "Brunswick Square", "Emma"),
        new("Mr. Suckling", "Maple Grove", "Emma"),
        new("Mr. Gardiner", "Gracechurch Street", "Pride and Prejudice"),
        new("Mr. Hurst", "Grosvenor Street", "Pride and Prejudice"),
        new("Lady Dalrymple", "Laura Place", "Persuasion"),
        new("Mrs. Thorpe", "Putney", "Northanger Abbey"),
        new("John Dashwood", "Norland", "Sense and Sensibility"),
        new("Sir John Middleton", "Barton Park", "Sense and Sensibility"),
        new("Lady Russell", "Kellynch Lodge", "Persuasion"),
    ];

    /// <summary>The ways a question about a person's home is asked (<c>{0}</c> is the person): the instruction data's own three forms, so the format is one the SFT model knows.</summary>
    public static IReadOnlyList<string> QuestionForms { get; } =
    [
        "Where does {0} live?",
        "What is the name of {0}'s home?",
        "Name the home of {0}.",
    ];

    /// <summary>The question in form <paramref name="form"/> (an index into <see cref="QuestionForms"/>).</summary>
    public static string Question(HomeFact fact, int form) => string.Format(QuestionForms[form], fact.Person);

    private static readonly string[] Titles = ["Mr.", "Mrs.", "Miss", "Sir", "Lady", "Colonel", "Captain", "Dr."];
    private static readonly string[] Surnames =
    [
        "Ashby", "Carew", "Denholm", "Everard", "Fenwick", "Garston", "Halloway", "Ingram", "Jessop", "Kendal", "Latham",
        "Marlowe", "Nesbit", "Oakley", "Pembroke", "Quarles", "Radley", "Selwyn", "Thorne", "Upton", "Vance", "Wardle",
        "Yardley", "Ambrose", "Blyth", "Chilcott", "Dunmore", "Ellery", "Farrant", "Gedge", "Hartop", "Ivers",
    ];
    private static readonly string[] HomeStarts = ["Ash", "Bram", "Cold", "Elm", "Fern", "Hay", "Kings", "Lang", "Marl", "Oak", "Rush", "Thorn", "Wyn", "Bel", "Stan", "Cran"];
    private static readonly string[] HomeEnds = ["ford", "combe", "wood", "leigh", "hurst", "ley", "stead", "wick", "bury", "gate", "mere", "holt"];

    /// <summary>
    /// <paramref name="count"/> invented facts (e.g. "Colonel Fenwick lives at Oakhurst."), deterministic for a seed.
    /// Persons are distinct; no invented house is one of the true <see cref="Facts"/>' houses.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More facts asked for than there are distinct invented persons.</exception>
    public static IReadOnlyList<HomeFact> Invented(int count, long seed = Course.DefaultSeed)
    {
        var capacity = Titles.Length * Surnames.Length;
        if (count < 0 || count > capacity)
            throw new ArgumentOutOfRangeException(nameof(count), $"Can invent 0 to {capacity} distinct persons; asked for {count}.");
        var random = new SeededRandom(seed);
        var real = Facts.Select(f => f.Home).ToHashSet();
        var persons = new HashSet<string>();
        var facts = new List<HomeFact>(count);
        while (facts.Count < count)
        {
            var person = $"{Titles[random.NextLong(Titles.Length)]} {Surnames[random.NextLong(Surnames.Length)]}";
            var home = HomeStarts[random.NextLong(HomeStarts.Length)] + HomeEnds[random.NextLong(HomeEnds.Length)];
            if (!real.Contains(home) && persons.Add(person))
                facts.Add(new HomeFact(person, home, ""));
        }
        return facts;
    }
}
