using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// Nucleus sampling: keeps the smallest set of most likely tokens whose probabilities add up to at least p, and
/// rules out the rest. The set adapts to the model's confidence: one token when it is sure, many when it is not.
/// Ties at the boundary are broken towards the lower token id, as in <see cref="TopK"/>. Probabilities are summed in
/// double precision so the boundary does not move with float rounding.
/// </summary>
public sealed record TopP : ILogitsTransform
{
    /// <summary>Creates the transform.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in (0, 1].</exception>
    public TopP(double p)
    {
        if (!(p > 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "top-p needs 0 < p <= 1 (p = 1 keeps every token; typical values are 0.8-0.95).");
        P = p;
    }

    /// <summary>The probability mass the kept tokens must reach.</summary>
    public double P { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.to(ScalarType.Float64).sort(dim: -1, descending: true, stable: true);
        var probabilities = sorted.softmax(-1);
        // A token is dropped when the tokens before it already reach p; the first token is therefore always kept.
        var massBefore = probabilities.cumsum(-1) - probabilities;
        var droppedSorted = massBefore.ge(P);
        var dropped = zeros_like(logits, dtype: ScalarType.Bool).scatter_(-1, order, droppedSorted);
        return logits.masked_fill(dropped, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
