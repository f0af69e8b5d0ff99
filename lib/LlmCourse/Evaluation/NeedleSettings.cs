using System.Globalization;

namespace LlmCourse.Evaluation;

/// <summary>
/// The words of a needle-in-a-haystack probe: the fact hidden in the filler, the question after it, and the answer
/// a model should give. <c>{0}</c> stands for the key. The defaults read "… The key is 47. …" and end with
/// "What is the key? The key is", so a model only has to continue with the number.
/// </summary>
public sealed record NeedleSettings
{
    /// <summary>The hidden fact; <c>{0}</c> is the key. Starts with a space so it joins the filler like a sentence.</summary>
    public string Needle { get; init; } = " The key is {0}.";

    /// <summary>What follows the haystack; the model's continuation is its answer.</summary>
    public string Question { get; init; } = "\nWhat is the key? The key is";

    /// <summary>The ideal continuation of the question (what a retrieval fine-tune teaches); <c>{0}</c> is the key.</summary>
    public string Answer { get; init; } = " {0}.";

    /// <summary>
    /// Digits of the key, 1..9. The key is uniform over the numbers with this many digits (0..9 for one digit), so
    /// chance is 1 / <see cref="KeyCount"/>. Default 2 (chance 1 in 90): the course's BPE writes each digit as its own
    /// token, so every digit is one more token the model must copy from far back, and a short retrieval fine-tune of
    /// the course's model learns two digits where it leaves four near chance (see <see cref="NeedleRecipe"/>).
    /// </summary>
    public int KeyDigits { get; init; } = 2;

    /// <summary>How many different keys there are: 10 for one digit, 9 × 10^(d−1) otherwise (no leading zero).</summary>
    public int KeyCount => KeyDigits == 1 ? 10 : 9 * (int)Math.Pow(10, KeyDigits - 1);

    /// <summary>The accuracy of guessing a key at random.</summary>
    public double ChanceAccuracy => 1.0 / KeyCount;

    /// <summary>The key with index <paramref name="index"/> in 0..KeyCount−1 as text.</summary>
    public string Key(long index) =>
        (KeyDigits == 1 ? index : (long)Math.Pow(10, KeyDigits - 1) + index).ToString(CultureInfo.InvariantCulture);

    /// <summary>Checks the templates and the key size, naming the fix.</summary>
    /// <exception cref="ArgumentException">A template lacks <c>{0}</c>, or the digits are outside 1..9.</exception>
    public NeedleSettings Validate()
    {
        if (KeyDigits is < 1 or > 9)
            throw new ArgumentException($"KeyDigits = {KeyDigits}: use 1..9 (2 gives 90 keys, 4 gives 9000; 1 gives 10, handy to test chance).");
        if (!Needle.Contains("{0}"))
            throw new ArgumentException($"The needle '{Needle}' has no {{0}} where the key goes, e.g. \" The key is {{0}}.\"");
        if (!Answer.Contains("{0}"))
            throw new ArgumentException($"The answer '{Answer}' has no {{0}} where the key goes, e.g. \" {{0}}.\"");
        return this;
    }
}
