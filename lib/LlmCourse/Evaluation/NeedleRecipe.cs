using LlmCourse.Data;
using LlmCourse.Tokenization;

namespace LlmCourse.Evaluation;

/// <summary>
/// The one needle-in-a-haystack setup sections 7 and 8c share, so their grids measure the same thing: two-digit keys
/// hidden in <i>Emma</i>, and a short retrieval fine-tune of the base model on prompts well inside its 128-token window.
/// Probing longer prompts then shows where retrieval stops generalising.
/// </summary>
/// <remarks>
/// Why these values: the course's BPE writes every digit as its own token, and each is one more token the model must
/// copy from far back. On main, a 150-step fine-tune at 1e-3 left four-digit keys at about 1 % (chance is 1 in 9,000);
/// two-digit keys with this recipe are found most of the time inside the trained lengths. The answer loss sits on a
/// plateau (the model can only guess digits) for the first hundred-odd steps before it learns to copy, so fewer steps
/// than <see cref="Full"/> risk stopping on the plateau.
/// </remarks>
public static class NeedleRecipe
{
    /// <summary>The novel the filler comes from.</summary>
    public const string FillerNovel = "Emma";

    /// <summary>The probe's words and key size: the defaults of <see cref="NeedleSettings"/> (two-digit keys, chance 1 in 90).</summary>
    public static NeedleSettings Settings { get; } = new();

    /// <summary>The full-mode fine-tune: 300 steps × 16 prompts of 40–96 tokens, learning rate 2e-3 after 20 warmup steps.</summary>
    public static NeedleFineTuneSettings Full { get; } = new(Steps: 300, BatchSize: 16, MinLength: 40, MaxLength: 96, LearningRate: 2e-3);

    /// <summary>The quick-mode fine-tune: the same lengths and learning rate, 8 steps of 4 (it only checks the code runs).</summary>
    public static NeedleFineTuneSettings Quick { get; } = Full with { Steps = 8, BatchSize = 4 };

    /// <summary><see cref="Full"/> or <see cref="Quick"/>, by <see cref="Course.Quick"/>.</summary>
    public static NeedleFineTuneSettings FineTune => Course.Pick(Full, Quick);

    /// <summary>The longest prompt the fine-tune trains on: lengths up to here are "inside the trained length".</summary>
    public static int TrainedLength => Full.MaxLength;

    /// <summary>Characters of the filler novel used: its first 300,000 (quick mode: 30,000, still far more than a 384-token prompt needs).</summary>
    public static int FillerCharacters => Course.Pick(300_000, 30_000);

    /// <summary>The haystack of the recipe: <see cref="FillerCharacters"/> of <see cref="FillerNovel"/> as filler, <see cref="Settings"/> as words.</summary>
    /// <exception cref="KeyNotFoundException">The corpus has no novel called <see cref="FillerNovel"/>.</exception>
    public static NeedleHaystack Haystack(ITokenizer tokenizer, Corpus corpus)
    {
        var text = corpus.Novel(FillerNovel).Text;
        return new NeedleHaystack(tokenizer, text[..Math.Min(FillerCharacters, text.Length)], Settings);
    }
}
