using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Multi-head causal self-attention. Every token asks a question (query), offers a label (key) and carries content
/// (value); each head compares the questions with the labels of earlier tokens and takes a weighted mix of their
/// contents. Heads run in parallel, each in its own slice of the width, and an output projection merges them.
/// </summary>
/// <remarks>
/// <para>Four separate <c>Linear</c> projections, <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> and <c>o_proj</c>, rather
/// than one fused <c>qkv</c>: LoRA adapts q and v by name, quantization replaces each one, head pruning slices each
/// one, and the names match Llama-style checkpoints. The cost is three smaller matrix products instead of one larger
/// one, a few percent at the course's sizes.</para>
/// <para>The number of heads is read from the projections' output size at run time (head size fixed), so a pruned layer
/// with fewer heads needs no other change.</para>
/// </remarks>
public sealed class CausalSelfAttention : nn.Module, ISwappableChildren
{
    [ComponentName(Name = "q_proj")] private nn.Module<Tensor, Tensor> query;
    [ComponentName(Name = "k_proj")] private nn.Module<Tensor, Tensor> key;
    [ComponentName(Name = "v_proj")] private nn.Module<Tensor, Tensor> value;
    [ComponentName(Name = "o_proj")] private nn.Module<Tensor, Tensor> output;

    /// <summary>Size of each head.</summary>
    public int HeadDim { get; }

    /// <summary>Creates attention from <paramref name="width"/> to <paramref name="heads"/> heads of <paramref name="headDim"/> and back.</summary>
    public CausalSelfAttention(int width, int heads, int headDim, bool bias) : base(nameof(CausalSelfAttention))
    {
        HeadDim = headDim;
        var inner = heads * headDim;
        query = Layers.Linear(width, inner, bias);
        key = Layers.Linear(width, inner, bias);
        value = Layers.Linear(width, inner, bias);
        output = Layers.Linear(inner, width, bias);
        RegisterComponents();
    }

    internal Tensor Forward(Tensor x, in LayerContext context)
    {
        using var scope = torch.NewDisposeScope();
        var shape = x.shape;
        long batch = shape[0], time = shape[1];
        var (q, queryHeads) = SplitHeads(query.call(x), batch, time);
        var (k, keyHeads) = SplitHeads(key.call(x), batch, time);
        var (v, valueHeads) = SplitHeads(value.call(x), batch, time);
        if (keyHeads != queryHeads || valueHeads != queryHeads)
            throw new InvalidOperationException($"q_proj, k_proj and v_proj give {queryHeads}, {keyHeads} and {valueHeads} heads; they must agree (prune heads in all three).");
        if (context.Rope is { } rope)
        {
            q = rope.Apply(q, context.Offset);
            k = rope.Apply(k, context.Offset);
        }

        var firstKey = context.Offset;
        if (context.Cache is { } cache)
            (k, v, firstKey) = cache.Append(context.Layer, k, v);
        var keys = (int)k.shape[2];

        // The plain causal mask fits when queries and keys are the same tokens and the window does not cut;
        // a single decoding query may see every key the cache kept. Anything else needs an explicit mask.
        var window = context.Window;
        var plainCausal = keys == time && firstKey == context.Offset && (window is null || window >= time);
        var seesAll = time == 1 && (window is null || keys <= window);
        var mask = plainCausal || seesAll ? null : AttentionMath.CausalMask((int)time, keys, context.Offset, firstKey, window);

        Tensor y;
        var wantWeights = context.Trace is { Attention: true };
        if (context.Kernel == AttentionKernel.Explicit || wantWeights)
        {
            var allowed = mask ?? (plainCausal && time > 1 ? AttentionMath.CausalMask((int)time, keys, context.Offset, firstKey) : null);
            (y, var weights) = AttentionMath.Explicit(q, k, v, allowed, context.Dropout, context.Training);
            context.Trace?.AddAttentionWeights(weights);
        }
        else
        {
            y = AttentionMath.Fused(q, k, v, mask, causal: plainCausal && time > 1, context.Dropout, context.Training);
        }
        // [batch, heads, time, headDim] → [batch, time, heads·headDim]: put the heads side by side again. One decoded
        // token needs no transpose (time = 1 is the same memory either way): one operation instead of two, per layer and step.
        var merged = time == 1 ? y.reshape(batch, 1, -1) : y.transpose(1, 2).reshape(batch, time, -1);
        return scope.MoveToOuter(output.call(merged));
    }

    /// <summary>[batch, time, heads·headDim] → [batch, heads, time, headDim], and the number of heads.</summary>
    private (Tensor Heads, long Count) SplitHeads(Tensor projected, long batch, long time)
    {
        var inner = projected.shape[^1];
        if (inner % HeadDim != 0)
            throw new InvalidOperationException($"A projection gives {inner} numbers per token, not a multiple of the head size {HeadDim}.");
        var heads = inner / HeadDim;
        return (time == 1
            ? projected.reshape(batch, heads, 1, HeadDim) // a decode step: the same as below, in one operation
            : projected.reshape(batch, time, heads, HeadDim).transpose(1, 2), heads);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> SwappableNames => ["q_proj", "k_proj", "v_proj", "o_proj"];

    /// <inheritdoc/>
    public void ReplaceChild(string name, nn.Module<Tensor, Tensor> replacement)
    {
        switch (name)
        {
            case "q_proj": query = replacement; break;
            case "k_proj": key = replacement; break;
            case "v_proj": value = replacement; break;
            case "o_proj": output = replacement; break;
            default: throw ChildSwap.Unknown(nameof(CausalSelfAttention), name, SwappableNames);
        }
        ChildSwap.Reregister(this, name, replacement);
    }
}
