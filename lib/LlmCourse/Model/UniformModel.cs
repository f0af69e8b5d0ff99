namespace LlmCourse.Model;

/// <summary>The know-nothing baseline: every token is equally likely, whatever came before.</summary>
/// <param name="vocabularySize">Number of tokens, V; each gets probability 1/V.</param>
public sealed class UniformModel(int vocabularySize) : INextTokenModel
{
    /// <inheritdoc/>
    public int VocabularySize { get; } = vocabularySize > 0
        ? vocabularySize
        : throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "A vocabulary needs at least one token.");

    /// <inheritdoc/>
    public double[] NextTokenProbabilities(ReadOnlySpan<int> context) => Enumerable.Repeat(1.0 / VocabularySize, VocabularySize).ToArray();

    /// <inheritdoc/>
    public double Probability(ReadOnlySpan<int> context, int next) => 1.0 / VocabularySize;
}
