namespace LlmCourse.Evaluation;

/// <summary>
/// A mean with its 95 % interval (normal approximation: mean ± 1.96 standard errors). For averages of many small
/// numbers, such as the share of good answers per prompt or the KL per response; for a count of right answers use
/// <see cref="ConfidenceInterval.Wilson"/>, which is exact enough where a normal interval is not (near 0 or n).
/// </summary>
/// <param name="Mean">The average.</param>
/// <param name="Low">Lower end of the 95 % interval.</param>
/// <param name="High">Upper end.</param>
/// <param name="Count">How many values were averaged.</param>
public readonly record struct MeanInterval(double Mean, double Low, double High, int Count)
{
    /// <summary>The mean of <paramref name="values"/> ± 1.96 standard errors (sample standard deviation / √n).</summary>
    /// <exception cref="ArgumentException">Fewer than two values (no spread to estimate), or a value that is not finite.</exception>
    public static MeanInterval Of(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            throw new ArgumentException($"An interval of a mean needs at least two values to estimate their spread; got {values.Count}.", nameof(values));
        foreach (var value in values)
            if (!double.IsFinite(value))
                throw new ArgumentException($"The values hold {value}: an interval needs finite numbers.", nameof(values));
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        var half = ConfidenceInterval.Z95 * Math.Sqrt(variance / values.Count);
        return new MeanInterval(mean, mean - half, mean + half, values.Count);
    }

    /// <summary>
    /// The mean of the paired differences a[i] − b[i] with its interval: how much A beats B on the same items. Pairing
    /// removes the items' own difficulty from the noise, so a real difference shows with fewer items than two
    /// separate intervals would need. An interval that excludes 0 is a difference beyond chance (at 95 %).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or have fewer than two items.</exception>
    public static MeanInterval Difference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"Paired differences need the same items on both sides; got {a.Count} and {b.Count} values.", nameof(b));
        return Of(a.Select((v, i) => v - b[i]).ToList());
    }

    /// <summary>True when 0 lies outside the interval: for a <see cref="Difference"/>, a difference beyond chance.</summary>
    public bool ExcludesZero => Low > 0 || High < 0;

    /// <summary>"0.123 [0.100, 0.146]" with <paramref name="format"/> for each number (e.g. "F2", "P1").</summary>
    public string ToString(string format)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return $"{Mean.ToString(format, culture)} [{Low.ToString(format, culture)}, {High.ToString(format, culture)}]";
    }

    /// <inheritdoc/>
    public override string ToString() => ToString("F3");
}
