using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// Made-up names ("Ashwick", "Tamirol Lodge", "Lady Agnes Brenmore"), so many that no answer can be memorised: a
/// model asked about them can only find them in its prompt. Each word is drawn once; the generator never returns the
/// same word twice, nor a word it was told to avoid (e.g. the words of the lenses notebook's real facts, which must
/// stay out of all training data).
/// </summary>
/// <remarks>
/// Half the words join English-looking pieces (a start, sometimes a middle, an end: "Ash" + "en" + "wick"), half are
/// plain syllables ("Ta" + "mi" + "rol"), so names cut into two to four BPE pieces each, like rare real names do.
/// Together there are over 50,000 distinct words.
/// </remarks>
public sealed class InventedNames
{
    private static readonly string[] Starts =
        ["Ash", "Bel", "Bram", "Brook", "Cal", "Carr", "Dal", "Dun", "Els", "Fair", "Fen", "Gar", "Glen", "Hal", "Hart", "Hol",
         "Kel", "Kings", "Lang", "Lin", "Mal", "Mar", "Mel", "Mor", "Oak", "Pen", "Ral", "Red", "Ros", "Rush", "Sal", "Sel",
         "Stan", "Stow", "Tal", "Tem", "Thorn", "Tres", "Val", "Wal", "War", "Wen", "Whit", "Wil", "Win", "Wor", "Yar", "Al",
         "Ard", "Bar", "Brad", "Chal", "Cor", "Dor", "Ed", "Fal", "Gil", "Ink", "Jes", "Lor", "Mid", "Nor", "Ock", "Pad",
         "Quin", "Rad", "Sher", "Tor", "Ul", "Ver", "Wes", "Ab", "Bow", "Cran", "Dray", "Elm", "Fox", "Grey", "Hay", "Ivy"];
    private static readonly string[] Middles = ["a", "e", "i", "o", "er", "in", "en", "ing", "an", "el"];
    private static readonly string[] Ends =
        ["by", "combe", "dale", "den", "field", "ford", "gate", "ham", "hurst", "ley", "low", "mere", "more", "ridge", "stead",
         "stone", "ton", "well", "wick", "worth", "bury", "cott", "don", "lock", "mouth", "ney", "sey", "wood", "brook", "thorpe",
         "holt", "minster", "shaw", "croft", "stock", "land", "bourne", "hithe", "leigh", "ry"];
    private static readonly string[] Onsets = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u"];
    private static readonly string[] Codas = ["", "", "n", "r", "l", "s", "t"];

    /// <summary>Men's first names, for "Charles Ashwick" or "Sir Edgar Tamirol" (none is a name in the lenses notebook's facts).</summary>
    public static IReadOnlyList<string> MaleNames { get; } =
        ["Charles", "Edgar", "George", "Henry", "James", "Philip", "Robert", "Thomas", "William", "Arthur", "Richard", "Walter",
         "Frederick", "Edmund", "Hugh", "Matthew"];

    /// <summary>Women's first names, for "Anne Ashwick" or "Lady Agnes Tamirol".</summary>
    public static IReadOnlyList<string> FemaleNames { get; } =
        ["Anne", "Frances", "Harriet", "Isabel", "Louisa", "Margaret", "Maria", "Martha", "Sophia", "Eliza", "Lucy", "Susan",
         "Cecilia", "Caroline", "Julia", "Agnes"];

    /// <summary>Titles as the novels use them.</summary>
    public static IReadOnlyList<string> Titles { get; } = ["Mr.", "Mrs.", "Miss", "Colonel", "Captain", "Dr.", "Admiral", "Sir", "Lady"];

    /// <summary>What follows a house's name, if anything ("" = the name alone, like Pemberley).</summary>
    public static IReadOnlyList<string> HouseKinds { get; } =
        ["", "", "", " Park", " Hall", " Lodge", " House", " Cottage", " Grove", " Place", " Street", " Square", " Court", " Abbey", " Manor", " Farm"];

    private readonly SeededRandom random;
    private readonly HashSet<string> used;

    /// <summary>A generator drawing from <paramref name="random"/> that never returns a word in <paramref name="avoid"/> (compared ignoring case).</summary>
    public InventedNames(SeededRandom random, IEnumerable<string>? avoid = null)
    {
        this.random = random;
        used = new HashSet<string>(avoid ?? [], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every word returned so far and every word avoided.</summary>
    public IReadOnlyCollection<string> Used => used;

    /// <summary>A new capitalised word of two or three syllables, never returned before.</summary>
    public string Word()
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var word = random.NextLong(2) == 0
                ? Pick(Starts) + (random.NextLong(3) == 0 ? Pick(Middles) : "") + Pick(Ends)
                : string.Concat(Enumerable.Range(0, 2 + (int)random.NextLong(2)).Select(_ => Pick(Onsets) + Pick(Vowels) + Pick(Codas)));
            word = char.ToUpperInvariant(word[0]) + word[1..];
            if (word.Length >= 4 && used.Add(word))
                return word;
        }
        throw new InvalidOperationException($"Could not invent a new word after 10,000 tries ({used.Count} used): ask for fewer names.");
    }

    /// <summary>A person: "Mr. Ashwick" (half the time), "Anne Ashwick", "Sir Edgar Ashwick" or "Lady Agnes Ashwick"; the surname is new.</summary>
    public string Person()
    {
        var surname = Word();
        return random.NextLong(8) switch
        {
            < 4 => $"{Pick(Titles)} {surname}",
            4 => $"{Pick(MaleNames)} {surname}",
            5 => $"{Pick(FemaleNames)} {surname}",
            6 => $"Sir {Pick(MaleNames)} {surname}",
            _ => $"Lady {Pick(FemaleNames)} {surname}",
        };
    }

    /// <summary>A house: a new word, sometimes followed by a kind ("Quastell Lodge").</summary>
    public string House() => Word() + Pick(HouseKinds);

    /// <summary>A town, or a horse's name: one new word.</summary>
    public string Place() => Word();

    private string Pick(IReadOnlyList<string> list) => list[(int)random.NextLong(list.Count)];
}
