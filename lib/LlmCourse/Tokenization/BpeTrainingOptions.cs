namespace LlmCourse.Tokenization;

/// <summary>Settings for <see cref="BpeTrainer.Train"/>.</summary>
/// <param name="VocabularySize">
/// Ids in the finished tokenizer: 256 bytes + one per merge + the special tokens. Training stops earlier if no pair
/// is left that occurs at least <paramref name="MinPairCount"/> times (the result then has fewer ids; check
/// <see cref="ITokenizer.VocabularySize"/>).
/// </param>
/// <param name="Specials">Special tokens, given the last ids in this order; null means <see cref="Tokenization.Specials.Course"/>.</param>
/// <param name="MinPairCount">A pair seen fewer times than this is never merged (merging a one-off pair saves nothing).</param>
public sealed record BpeTrainingOptions(int VocabularySize, IReadOnlyList<string>? Specials = null, int MinPairCount = 2)
{
    /// <summary>The special tokens actually used.</summary>
    public IReadOnlyList<string> SpecialTokenList => Specials ?? Tokenization.Specials.Course;
}
