using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// Transforms applied in order, e.g. temperature, then top-k, then top-p (the order Hugging Face uses: top-p then
/// measures mass in the distribution the temperature already reshaped).
/// </summary>
public sealed class LogitsPipeline : ILogitsTransform
{
    /// <summary>Creates a pipeline of <paramref name="steps"/> (none = unchanged logits).</summary>
    public LogitsPipeline(params IEnumerable<ILogitsTransform> steps) => Steps = steps.ToList();

    /// <summary>The transforms, first applied first.</summary>
    public IReadOnlyList<ILogitsTransform> Steps { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor logits)
    {
        var current = logits.clone();
        foreach (var step in Steps)
        {
            var next = step.Apply(current);
            current.Dispose();
            current = next;
        }
        return current;
    }

    /// <summary>Lists the steps, e.g. "Temperature(0.8) → TopK(40)".</summary>
    public override string ToString() => Steps.Count == 0 ? "(unchanged)" : string.Join(" → ", Steps.Select(Describe));

    private static string Describe(ILogitsTransform step) => step switch
    {
        Temperature t => $"Temperature({t.Value})",
        TopK k => $"TopK({k.K})",
        TopP p => $"TopP({p.P})",
        _ => step.GetType().Name,
    };
}
