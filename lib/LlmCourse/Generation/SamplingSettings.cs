namespace LlmCourse.Generation;

/// <summary>
/// How the next token is chosen from the logits. Temperature 0 means greedy (always the most likely token);
/// otherwise the logits pass through temperature, then top-k, then top-p, and a token is drawn with a generator
/// seeded by <see cref="Seed"/>: the same settings and seed give the same text.
/// </summary>
/// <param name="Temperature">0 for greedy, else &gt; 0 (1 = the model's own distribution).</param>
/// <param name="TopK">Keep only the k most likely tokens; null = off.</param>
/// <param name="TopP">Keep the smallest set with mass &gt;= p; null = off.</param>
/// <param name="Seed">Seed of the sampler's own random generator.</param>
public sealed record SamplingSettings(double Temperature = 1.0, int? TopK = null, double? TopP = null, long Seed = Course.DefaultSeed)
{
    /// <summary>Greedy decoding: the argmax at every step (ties → the lowest token id).</summary>
    public static SamplingSettings Greedy { get; } = new(Temperature: 0);

    /// <summary>True when this is greedy decoding.</summary>
    public bool IsGreedy => Temperature == 0;

    /// <summary>The logit transforms these settings stand for (empty for greedy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message gives the valid range.</exception>
    public LogitsPipeline ToPipeline()
    {
        if (Temperature < 0 || double.IsNaN(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be >= 0 (0 = greedy).");
        var steps = new List<ILogitsTransform>();
        if (IsGreedy)
            return new LogitsPipeline(steps);
        if (Temperature != 1)
            steps.Add(new Temperature(Temperature));
        if (TopK is { } k)
            steps.Add(new TopK(k));
        if (TopP is { } p)
            steps.Add(new TopP(p));
        return new LogitsPipeline(steps);
    }
}
