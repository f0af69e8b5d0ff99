namespace LlmCourse.Model;

/// <summary>
/// A bigram count model: the probability of the next token depends only on the one before it, and is read off a
/// table of how often each pair occurred. <c>Counts[a, b]</c> is the number of times token b followed token a.
/// <para>
/// Add-k smoothing pretends every pair was seen <see cref="Smoothing"/> extra times, so a pair the training text
/// never showed gets a small probability instead of zero (a zero would make the loss on new text infinite).
/// </para>
/// </summary>
public sealed class BigramModel : INextTokenModel
{
    private readonly long[,] counts;
    private readonly double[,] probabilities; // row a: the distribution of the token after a

    /// <summary>Wraps a table of pair counts.</summary>
    /// <param name="counts">A V×V table: <c>counts[previous, next]</c>. Copied, so later changes to the array do not leak in.</param>
    /// <param name="smoothing">Pseudo-count added to every cell, k ≥ 0. With 0, a row that was never seen is uniform.</param>
    /// <exception cref="ArgumentException">The table is not square, has a negative count, or smoothing is negative.</exception>
    public BigramModel(long[,] counts, double smoothing = 1.0)
    {
        var size = counts.GetLength(0);
        if (size == 0 || counts.GetLength(1) != size)
            throw new ArgumentException($"The count table must be V×V with V ≥ 1; got {counts.GetLength(0)}×{counts.GetLength(1)}.", nameof(counts));
        if (smoothing < 0 || double.IsNaN(smoothing))
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Smoothing is a pseudo-count: use 0 or more (1 is add-one smoothing).");
        this.counts = (long[,])counts.Clone();
        Smoothing = smoothing;
        probabilities = new double[size, size];
        for (var a = 0; a < size; a++)
        {
            double rowTotal = 0;
            for (var b = 0; b < size; b++)
            {
                if (counts[a, b] < 0)
                    throw new ArgumentException($"counts[{a}, {b}] = {counts[a, b]}: counts cannot be negative.", nameof(counts));
                rowTotal += counts[a, b] + smoothing;
            }
            for (var b = 0; b < size; b++)
                probabilities[a, b] = rowTotal > 0 ? (counts[a, b] + smoothing) / rowTotal : 1.0 / size;
        }
    }

    /// <summary>Counts every adjacent pair in a sequence of token ids and wraps the table.</summary>
    /// <param name="tokenIds">The training text as token ids.</param>
    /// <param name="vocabularySize">V; every id must be below it.</param>
    /// <param name="smoothing">Pseudo-count added to every pair (see the class remarks).</param>
    public static BigramModel Count(ReadOnlySpan<int> tokenIds, int vocabularySize, double smoothing = 1.0)
    {
        var table = new long[vocabularySize, vocabularySize];
        for (var i = 0; i + 1 < tokenIds.Length; i++)
            table[tokenIds[i], tokenIds[i + 1]]++;
        return new BigramModel(table, smoothing);
    }

    /// <inheritdoc/>
    public int VocabularySize => counts.GetLength(0);

    /// <summary>The pseudo-count added to every pair.</summary>
    public double Smoothing { get; }

    /// <summary>How many times <paramref name="next"/> followed <paramref name="previous"/> in the counted text.</summary>
    public long CountOf(int previous, int next) => counts[previous, next];

    /// <summary>The total number of pairs counted.</summary>
    public long TotalCount => counts.Cast<long>().Sum();

    /// <inheritdoc/>
    /// <remarks>Only the last token of the context matters: that is what makes it a bigram model.</remarks>
    /// <exception cref="ArgumentException">The context is empty.</exception>
    public double[] NextTokenProbabilities(ReadOnlySpan<int> context)
    {
        var previous = Last(context);
        var row = new double[VocabularySize];
        for (var b = 0; b < row.Length; b++)
            row[b] = probabilities[previous, b];
        return row;
    }

    /// <inheritdoc/>
    public double Probability(ReadOnlySpan<int> context, int next) => probabilities[Last(context), next];

    private static int Last(ReadOnlySpan<int> context) => context.IsEmpty
        ? throw new ArgumentException("A bigram model needs at least one token of context: start generation from a non-empty prompt.", nameof(context))
        : context[^1];
}
