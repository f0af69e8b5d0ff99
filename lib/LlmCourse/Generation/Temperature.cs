using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// Divides the logits by a temperature T: T &lt; 1 sharpens the distribution (towards greedy), T &gt; 1 flattens it
/// (towards uniform). T = 0 is not a division: samplers treat it as greedy (argmax), the limit T → 0.
/// </summary>
public sealed record Temperature : ILogitsTransform
{
    /// <summary>Creates the transform.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative, zero or not finite.</exception>
    public Temperature(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(nameof(value), value,
                "A temperature must be a positive number. For greedy decoding use SamplingSettings.Greedy (temperature 0) instead of dividing by 0.");
        Value = value;
    }

    /// <summary>The temperature.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor logits) => logits / Value;
}
