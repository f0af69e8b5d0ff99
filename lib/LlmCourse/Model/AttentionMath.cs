using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Model;

/// <summary>
/// Attention as formulas, on tensors shaped [..., time, headDim] (usually [batch, heads, time, headDim]). The model
/// calls these; notebooks call them on hand-made Q, K and V.
/// </summary>
public static class AttentionMath
{
    /// <summary>
    /// Which key each query may look at, as a [queries, keys] bool tensor (true = allowed). Query i sits at position
    /// <paramref name="firstQueryPosition"/> + i and key j at <paramref name="firstKeyPosition"/> + j; a query sees keys
    /// at its own position or earlier, and with a <paramref name="window"/> only the last <c>window</c> of them.
    /// </summary>
    public static Tensor CausalMask(int queries, int keys, int firstQueryPosition = -1, int firstKeyPosition = 0, int? window = null)
    {
        // Default: the queries are the last `queries` of the keys (prefill: the same tokens; decode: the newest).
        if (firstQueryPosition < 0)
            firstQueryPosition = firstKeyPosition + keys - queries;
        using var scope = torch.NewDisposeScope();
        var queryPositions = torch.arange(firstQueryPosition, firstQueryPosition + queries, dtype: ScalarType.Int64).unsqueeze(1);
        var keyPositions = torch.arange(firstKeyPosition, firstKeyPosition + keys, dtype: ScalarType.Int64).unsqueeze(0);
        var distance = queryPositions - keyPositions; // how far back each key is
        var allowed = distance.ge(0);
        if (window is { } w)
            allowed = allowed.logical_and(distance.lt(w));
        return scope.MoveToOuter(allowed);
    }

    /// <summary>
    /// Attention written out, the way to read it: scores = Q·Kᵀ / √d; forbidden scores → −∞; softmax over the keys
    /// turns each query's scores into weights that sum to 1; the output is the weighted sum of the values.
    /// </summary>
    /// <param name="q">Queries [..., T, d].</param>
    /// <param name="k">Keys [..., S, d].</param>
    /// <param name="v">Values [..., S, dv].</param>
    /// <param name="allowed">Optional [T, S] (or broadcastable) bool mask, true = may attend; e.g. <see cref="CausalMask"/>.</param>
    /// <param name="dropout">Probability of dropping a weight (training only).</param>
    /// <param name="training">Apply dropout.</param>
    /// <returns>The output [..., T, dv] and the weights [..., T, S].</returns>
    /// <exception cref="ArgumentException">Shapes do not fit together.</exception>
    public static (Tensor Output, Tensor Weights) Explicit(Tensor q, Tensor k, Tensor v, Tensor? allowed = null, double dropout = 0, bool training = false)
    {
        CheckShapes(q, k, v);
        using var scope = torch.NewDisposeScope();
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);
        if (allowed is not null)
            scores = scores.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        var weights = scores.softmax(-1);
        var used = dropout > 0 && training ? F.dropout(weights, dropout, training) : weights;
        var output = used.matmul(v);
        return (scope.MoveToOuter(output), scope.MoveToOuter(weights));
    }

    /// <summary>
    /// The same attention through TorchSharp's fused kernel. <paramref name="causal"/> = true applies the plain causal
    /// mask (queries and keys the same tokens); otherwise <paramref name="allowed"/> (true = may attend) if given.
    /// </summary>
    public static Tensor Fused(Tensor q, Tensor k, Tensor v, Tensor? allowed = null, bool causal = false, double dropout = 0, bool training = false)
    {
        CheckShapes(q, k, v);
        if (causal && allowed is not null)
            throw new ArgumentException("Pass either causal = true or an explicit mask, not both.");
        // 0.107 spells the causal flag `is_casual`.
        return F.scaled_dot_product_attention(q, k, v, attn_mask: allowed, p: training ? dropout : 0, is_casual: causal);
    }

    private static void CheckShapes(Tensor q, Tensor k, Tensor v)
    {
        // Tensor.matmul on mismatched shapes ends the process instead of throwing: check first.
        string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
        if (q.dim() < 2 || q.dim() != k.dim() || k.dim() != v.dim())
            throw new ArgumentException($"q, k and v must have the same number of dimensions (≥ 2), got {Shape(q)}, {Shape(k)}, {Shape(v)}.");
        if (q.shape[^1] != k.shape[^1])
            throw new ArgumentException($"Queries and keys must have the same size to be compared: q is {Shape(q)}, k is {Shape(k)} (last dimensions differ).");
        if (k.shape[^2] != v.shape[^2])
            throw new ArgumentException($"Every key needs a value: k is {Shape(k)}, v is {Shape(v)} (the time dimensions differ).");
        for (var d = 0; d < q.dim() - 2; d++)
            if (q.shape[d] != k.shape[d] || k.shape[d] != v.shape[d])
                throw new ArgumentException($"q, k and v must agree on batch and head dimensions: {Shape(q)}, {Shape(k)}, {Shape(v)}.");
    }
}
