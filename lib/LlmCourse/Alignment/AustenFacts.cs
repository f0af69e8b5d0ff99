namespace LlmCourse.Alignment;

/// <summary>One row of the fact table: a character and what the questions ask about them (null = not asked).</summary>
/// <param name="Name">Full name as the novels use it, e.g. "Elizabeth Bennet".</param>
/// <param name="Novel">The novel the character appears in.</param>
/// <param name="Home">Where the character lives at the novel's start.</param>
/// <param name="Spouse">Whom the character marries (or is married to).</param>
/// <param name="Sister">A sister (the one the table records; some characters have several).</param>
public sealed record AustenCharacter(string Name, string Novel, string? Home, string? Spouse, string? Sister);

/// <summary>
/// The small world the instruction data asks about: characters of the six novels with their novel, home, spouse and
/// one sister. It is the data's ground truth, not a claim of completeness (the Bennets have five daughters; the table
/// names one sister each).
/// </summary>
public static class AustenFacts
{
    /// <summary>The table, in a fixed order.</summary>
    public static IReadOnlyList<AustenCharacter> Characters { get; } =
    [
        new("Elizabeth Bennet", "Pride and Prejudice", "Longbourn", "Mr. Darcy", "Jane Bennet"),
        new("Jane Bennet", "Pride and Prejudice", "Longbourn", "Mr. Bingley", "Elizabeth Bennet"),
        new("Lydia Bennet", "Pride and Prejudice", "Longbourn", "Mr. Wickham", "Kitty Bennet"),
        new("Mr. Darcy", "Pride and Prejudice", "Pemberley", "Elizabeth Bennet", "Georgiana Darcy"),
        new("Mr. Bingley", "Pride and Prejudice", "Netherfield", "Jane Bennet", "Caroline Bingley"),
        new("Charlotte Lucas", "Pride and Prejudice", "Lucas Lodge", "Mr. Collins", "Maria Lucas"),
        new("Mr. Collins", "Pride and Prejudice", "Hunsford", "Charlotte Lucas", null),
        new("Lady Catherine", "Pride and Prejudice", "Rosings", null, null),
        new("Elinor Dashwood", "Sense and Sensibility", "Barton Cottage", "Edward Ferrars", "Marianne Dashwood"),
        new("Marianne Dashwood", "Sense and Sensibility", "Barton Cottage", "Colonel Brandon", "Elinor Dashwood"),
        new("Colonel Brandon", "Sense and Sensibility", "Delaford", "Marianne Dashwood", null),
        new("Edward Ferrars", "Sense and Sensibility", null, "Elinor Dashwood", "Fanny Dashwood"),
        new("Mr. Willoughby", "Sense and Sensibility", "Combe Magna", "Miss Grey", null),
        new("Emma Woodhouse", "Emma", "Hartfield", "Mr. Knightley", "Isabella Knightley"),
        new("Mr. Knightley", "Emma", "Donwell Abbey", "Emma Woodhouse", null),
        new("Harriet Smith", "Emma", null, "Robert Martin", null),
        new("Frank Churchill", "Emma", "Enscombe", "Jane Fairfax", null),
        new("Jane Fairfax", "Emma", null, "Frank Churchill", null),
        new("Fanny Price", "Mansfield Park", "Mansfield Park", "Edmund Bertram", "Susan Price"),
        new("Edmund Bertram", "Mansfield Park", "Mansfield Park", "Fanny Price", "Maria Bertram"),
        new("Maria Bertram", "Mansfield Park", "Mansfield Park", "Mr. Rushworth", "Julia Bertram"),
        new("Henry Crawford", "Mansfield Park", "Everingham", null, "Mary Crawford"),
        new("Catherine Morland", "Northanger Abbey", "Fullerton", "Henry Tilney", null),
        new("Henry Tilney", "Northanger Abbey", "Woodston", "Catherine Morland", "Eleanor Tilney"),
        new("Isabella Thorpe", "Northanger Abbey", null, null, "Anne Thorpe"),
        new("Anne Elliot", "Persuasion", "Kellynch Hall", "Captain Wentworth", "Elizabeth Elliot"),
        new("Captain Wentworth", "Persuasion", null, "Anne Elliot", "Sophia Croft"),
        new("Mary Musgrove", "Persuasion", "Uppercross", "Charles Musgrove", "Anne Elliot"),
        new("Louisa Musgrove", "Persuasion", "Uppercross", "Captain Benwick", "Henrietta Musgrove"),
        new("Sir Walter Elliot", "Persuasion", "Kellynch Hall", null, null),
    ];
}
