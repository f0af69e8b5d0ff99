using System.Diagnostics;
using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>The forward-pass speed of one model: the median of several timed passes.</summary>
/// <param name="Name">The model's label.</param>
/// <param name="MedianMilliseconds">Median wall time of one forward pass.</param>
/// <param name="TokensPerSecond">Tokens per pass divided by the median time.</param>
/// <param name="Passes">How many timed passes the median is over.</param>
public sealed record SpeedMeasurement(string Name, double MedianMilliseconds, double TokensPerSecond, int Passes)
{
    /// <summary>One line, e.g. "dense: 41.2 ms per pass, 24,850 tokens/s (median of 15)".</summary>
    public override string ToString() => $"{Name}: {MedianMilliseconds:F1} ms per pass, {TokensPerSecond:N0} tokens/s (median of {Passes})";
}

/// <summary>
/// Times the forward pass (no gradients, eval mode) of several models side by side: round after round, each model
/// runs once per round (and the round's first model rotates), so a burst of other work on the machine slows all of
/// them alike; the median of each model's passes ignores the worst bursts.
/// </summary>
public static class ForwardSpeed
{
    /// <summary>Measures each model on the same random token ids [<paramref name="batchSize"/>, <paramref name="length"/>].</summary>
    /// <param name="models">Label and model; all must accept the same vocabulary and length.</param>
    /// <param name="batchSize">Sequences per pass.</param>
    /// <param name="length">Tokens per sequence (at most the smallest context length).</param>
    /// <param name="rounds">Timed passes per model.</param>
    /// <param name="warmup">Untimed passes per model first (allocations, thread pools).</param>
    /// <exception cref="ArgumentException">No model, a size below 1, or a length past a model's context.</exception>
    public static IReadOnlyList<SpeedMeasurement> Compare(IReadOnlyList<(string Name, GptModel Model)> models, int batchSize = 8, int length = 128, int rounds = 15, int warmup = 2)
    {
        if (models.Count == 0)
            throw new ArgumentException("Give at least one (name, model) pair to time.", nameof(models));
        if (batchSize < 1 || length < 1 || rounds < 1 || warmup < 0)
            throw new ArgumentException($"batchSize ({batchSize}), length ({length}) and rounds ({rounds}) must be at least 1, warmup ({warmup}) at least 0.");
        var vocab = models.Min(m => m.Model.Config.VocabSize);
        if (models.FirstOrDefault(m => m.Model.Config.ContextLength < length) is { Model: not null } shortModel)
            throw new ArgumentException($"'{shortModel.Name}' reads at most {shortModel.Model.Config.ContextLength} tokens; time it with length ≤ that.", nameof(length));

        using var generator = new Generator((ulong)Course.DefaultSeed);
        using var ids = randint(0, vocab, [batchSize, length], generator: generator, dtype: ScalarType.Int64);
        var times = models.Select(_ => new List<double>()).ToList();
        var modes = models.Select(m => m.Model.training).ToList();
        try
        {
            foreach (var (_, model) in models)
                model.eval();
            using var _ = no_grad();
            for (var round = -warmup; round < rounds; round++)
                for (var turn = 0; turn < models.Count; turn++)
                {
                    var i = (turn + round + warmup) % models.Count; // each round starts with the next model: no fixed order
                    var clock = Stopwatch.StartNew();
                    using (var scope = NewDisposeScope())
                        models[i].Model.call(ids);
                    if (round >= 0)
                        times[i].Add(clock.Elapsed.TotalMilliseconds);
                }
        }
        finally
        {
            for (var i = 0; i < models.Count; i++)
                models[i].Model.train(modes[i]);
        }
        return models.Select((m, i) =>
        {
            var median = Median(times[i]);
            return new SpeedMeasurement(m.Name, median, batchSize * length / (median / 1000), rounds);
        }).ToList();
    }

    /// <summary>The middle value (the mean of the two middle values for an even count).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
