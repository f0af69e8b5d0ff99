namespace LlmCourse.Generation;

/// <summary>Picking the next token from a model's probabilities.</summary>
public static class Sampling
{
    /// <summary>
    /// Draws one index at random, each with chance proportional to its weight (inverse-CDF sampling: one uniform number
    /// in [0, total), walk the running sum until it passes it). The same <paramref name="random"/> seed gives the same
    /// draws. Weights need not sum to 1; zero-weight indices are never returned.
    /// </summary>
    /// <param name="probabilities">Non-negative, finite weights, at least one of them positive.</param>
    /// <param name="random">The source of randomness: <c>new Random(Course.DefaultSeed)</c> for repeatable runs.</param>
    /// <exception cref="ArgumentException">A weight is negative, NaN or infinite, or all are zero.</exception>
    public static int Sample(ReadOnlySpan<double> probabilities, Random random)
    {
        double total = 0;
        var lastPositive = -1;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            if (p < 0 || !double.IsFinite(p))
                throw new ArgumentException($"probabilities[{i}] = {p}: weights must be finite and not negative.", nameof(probabilities));
            if (p > 0) lastPositive = i;
            total += p;
        }
        if (lastPositive < 0)
            throw new ArgumentException("All weights are zero (or there are none): the model gave nothing any probability.", nameof(probabilities));

        var target = random.NextDouble() * total;
        double running = 0;
        for (var i = 0; i < lastPositive; i++)
        {
            running += probabilities[i];
            if (target < running && probabilities[i] > 0) return i;
        }
        return lastPositive; // also catches rounding when target lands a hair below total
    }
}
