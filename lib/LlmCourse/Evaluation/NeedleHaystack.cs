using LlmCourse.Tokenization;
using LlmCourse.Training;

namespace LlmCourse.Evaluation;

/// <summary>
/// Builds needle-in-a-haystack prompts from filler text (e.g. an Austen novel): a key fact hidden at a chosen depth
/// in filler of a chosen length, then a question about it. The same seed gives the same key and the same filler.
/// Also builds the training set for a small retrieval fine-tune, so a tiny model has the skill the probe measures.
/// </summary>
/// <remarks>
/// Everything happens in token space: the filler is tokenized once and cut at token boundaries, and the needle's
/// tokens are spliced in, so the needle starts exactly at token round(depth × (haystack − needle)), where the
/// haystack is the prompt without the question.
/// </remarks>
public sealed class NeedleHaystack
{
    private readonly ITokenizer tokenizer;
    private readonly int[] filler;
    private readonly int[] question;

    /// <summary>Tokenizes <paramref name="fillerText"/> once (specials as text) and keeps the settings.</summary>
    /// <exception cref="ArgumentException">The settings are invalid, the filler is empty, or the tokenizer cannot encode the needle or the question.</exception>
    public NeedleHaystack(ITokenizer tokenizer, string fillerText, NeedleSettings? settings = null)
    {
        this.tokenizer = tokenizer;
        Settings = (settings ?? new NeedleSettings()).Validate();
        filler = tokenizer.Encode(fillerText, SpecialTokenPolicy.AsText);
        if (filler.Length == 0)
            throw new ArgumentException("The filler text is empty: pass a few thousand characters of prose, e.g. Corpus.Austen.Novel(\"Emma\").Text.", nameof(fillerText));
        question = tokenizer.Encode(Settings.Question, SpecialTokenPolicy.AsText);
        NeedleTokens(Settings.Key(0)); // fails early when the tokenizer lacks a character of the needle
    }

    /// <summary>The templates and key size.</summary>
    public NeedleSettings Settings { get; }

    /// <summary>Tokens of filler available.</summary>
    public int FillerTokens => filler.Length;

    /// <summary>The shortest prompt that fits the needle and the question.</summary>
    public int MinimumLength => NeedleTokens(Settings.Key(Settings.KeyCount - 1)).Length + question.Length;

    /// <summary>A prompt of <paramref name="length"/> tokens with a random key at <paramref name="depth"/>, filler from a random place; all drawn from <paramref name="seed"/>.</summary>
    /// <inheritdoc cref="Build(int, double, string, int)"/>
    public NeedleCase Build(int length, double depth, int seed)
    {
        var random = new SeededRandom(seed);
        var key = Settings.Key(random.NextLong(Settings.KeyCount));
        var haystack = length - question.Length - NeedleTokens(key).Length;
        var start = haystack <= 0 || filler.Length < haystack ? 0 : (int)random.NextLong(filler.Length - haystack + 1);
        return Build(length, depth, key, start);
    }

    /// <summary>A prompt of <paramref name="length"/> tokens with <paramref name="key"/> at <paramref name="depth"/>, filler taken from token <paramref name="fillerStart"/> on.</summary>
    /// <param name="length">Tokens in the whole prompt (filler + needle + question).</param>
    /// <param name="depth">Where the needle goes, 0 (start of the haystack) .. 1 (right before the question).</param>
    /// <param name="key">The key to hide.</param>
    /// <param name="fillerStart">First filler token used.</param>
    /// <exception cref="ArgumentException">The length cannot hold the needle and the question, the depth is outside [0, 1], or the filler is too short.</exception>
    public NeedleCase Build(int length, double depth, string key, int fillerStart)
    {
        if (!(depth is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "The depth is a fraction of the haystack: 0 = at its start, 1 = right before the question.");
        var needle = NeedleTokens(key);
        var haystack = length - question.Length;
        if (haystack < needle.Length)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"A prompt of {length} tokens cannot hold the needle ({needle.Length} tokens) and the question ({question.Length}): use at least {needle.Length + question.Length}.");
        var fillerCount = haystack - needle.Length;
        if (fillerStart < 0 || fillerStart + fillerCount > filler.Length)
            throw new ArgumentException(
                $"The filler has {filler.Length} tokens; {fillerCount} from token {fillerStart} do not fit. Use a longer filler text or a shorter length.", nameof(fillerStart));

        var position = (int)Math.Round(depth * fillerCount, MidpointRounding.AwayFromZero);
        int[] ids = [.. filler.AsSpan(fillerStart, position), .. needle, .. filler.AsSpan(fillerStart + position, fillerCount - position), .. question];
        var answer = tokenizer.Encode(string.Format(Settings.Answer, key), SpecialTokenPolicy.AsText);
        return new NeedleCase(ids, tokenizer.Decode(ids), key, position, needle.Length, depth, answer);
    }

    /// <summary>
    /// Training sequences for a retrieval fine-tune: <paramref name="count"/> cases with lengths uniform in
    /// [<paramref name="minLength"/>, <paramref name="maxLength"/>], depths uniform in [0, 1], random keys and filler.
    /// Train on each case's <see cref="NeedleCase.TrainingIds"/> with the loss on the answer tokens only. Keep
    /// <paramref name="maxLength"/> below the lengths you probe to show where retrieval breaks past the trained length.
    /// Deterministic: the same arguments give the same cases.
    /// </summary>
    /// <exception cref="ArgumentException">A count below 1, or lengths out of order or too short for the needle.</exception>
    public IReadOnlyList<NeedleCase> TrainingSet(int count, int minLength, int maxLength, int seed = Course.DefaultSeed)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one training case.");
        if (minLength < MinimumLength || maxLength < minLength)
            throw new ArgumentException($"Lengths [{minLength}, {maxLength}] must satisfy {MinimumLength} (needle + question) <= min <= max.", nameof(minLength));
        var random = new SeededRandom(seed);
        var cases = new List<NeedleCase>(count);
        for (var i = 0; i < count; i++)
        {
            var length = minLength + (int)random.NextLong(maxLength - minLength + 1);
            var depth = random.NextLong(1_000_001) / 1_000_000.0;
            cases.Add(Build(length, depth, unchecked((int)random.NextBits())));
        }
        return cases;
    }

    private int[] NeedleTokens(string key) => tokenizer.Encode(string.Format(Settings.Needle, key), SpecialTokenPolicy.AsText);
}
