namespace LlmCourse.Model;

/// <summary>
/// A language model as the course first meets it: a function from the tokens so far to a probability for every
/// possible next token. Generation calls it in a loop; evaluation asks how much probability it gave the token that
/// actually came next.
/// </summary>
public interface INextTokenModel
{
    /// <summary>Number of tokens the model chooses among, V.</summary>
    int VocabularySize { get; }

    /// <summary>The probability of each of the V tokens coming next; the array sums to 1.</summary>
    /// <param name="context">The token ids so far, oldest first (at least one).</param>
    double[] NextTokenProbabilities(ReadOnlySpan<int> context);

    /// <summary>The probability of token <paramref name="next"/> coming after <paramref name="context"/>.</summary>
    double Probability(ReadOnlySpan<int> context, int next) => NextTokenProbabilities(context)[next];
}
