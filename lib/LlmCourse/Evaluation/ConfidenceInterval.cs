namespace LlmCourse.Evaluation;

/// <summary>
/// A range that holds the true accuracy with the stated confidence: with 20 test items, 15 right (75 %) is
/// compatible with anything from about 53 % to 89 %, and two models 5 points apart on 20 items are not different.
/// </summary>
/// <param name="Low">Lower end, in [0, 1].</param>
/// <param name="High">Upper end, in [0, 1].</param>
public readonly record struct ConfidenceInterval(double Low, double High)
{
    /// <summary>The z for a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// The Wilson score interval for <paramref name="successes"/> out of <paramref name="trials"/>. Unlike the textbook
    /// p ± z·√(p(1−p)/n), it never leaves [0, 1] and does not collapse to a single point at 0 or n successes (0/10 gives
    /// [0, 0.28], not [0, 0]), which is exactly where small evals live.
    /// </summary>
    /// <param name="successes">Items scored right, 0..trials.</param>
    /// <param name="trials">Items scored, at least 1.</param>
    /// <param name="z">Standard-normal quantile: <see cref="Z95"/> for 95 %.</param>
    /// <exception cref="ArgumentOutOfRangeException">No trials, successes outside 0..trials, or z not positive.</exception>
    public static ConfidenceInterval Wilson(int successes, int trials, double z = Z95)
    {
        if (trials < 1)
            throw new ArgumentOutOfRangeException(nameof(trials), trials, "An interval needs at least one trial.");
        if (successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"Successes must be between 0 and the {trials} trials.");
        if (!(z > 0))
            throw new ArgumentOutOfRangeException(nameof(z), z, "z must be positive (1.96 for 95 %).");
        double n = trials, p = successes / n, z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // The exact ends are 0 and 1 at 0 and n successes; clamp away rounding.
        return new ConfidenceInterval(successes == 0 ? 0 : Math.Max(0, centre - half), successes == trials ? 1 : Math.Min(1, centre + half));
    }

    /// <summary>True when <paramref name="value"/> lies inside the interval (ends included).</summary>
    public bool Contains(double value) => value >= Low && value <= High;

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"[{Low:P1}, {High:P1}]");
}
