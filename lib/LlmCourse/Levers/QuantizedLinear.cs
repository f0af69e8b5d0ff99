using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// A linear layer whose weight is stored quantized (uint8 codes, float16 scales, optional zero-points) and turned back
/// into float32 on every forward: <c>y = (x · input_scale) · dequant(W)ᵀ + b</c>. Memory holds only the integers; the
/// float weight exists for the duration of one matmul.
/// </summary>
/// <remarks>
/// <para>The compute is a float32 matmul on purpose: TorchSharp's int8 matmul returns int8 and silently overflows, so
/// integer arithmetic would give wrong answers without an error.</para>
/// <para><c>input_scale</c> is set only by AWQ: the weight was multiplied column-wise by <c>s</c> before rounding, so
/// the input is divided by <c>s</c> here and the product is unchanged. (A layer fed straight by a LayerNorm could fold
/// <c>1/s</c> into the norm's weight for free; keeping it here works for any layer.)</para>
/// <para>Do not call <c>.to(dtype)</c> on a model holding these layers: TorchSharp converts every tensor field,
/// including the uint8 codes.</para>
/// </remarks>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state_dict keys, in PyTorch style
    private readonly Tensor weight_codes;
    private readonly Tensor weight_scales;
    private readonly Tensor? weight_zeros;
    private readonly Tensor? bias;
    private readonly Tensor? input_scale;
#pragma warning restore IDE1006

    /// <summary>The scheme of the stored weight.</summary>
    public QuantScheme Scheme { get; }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>
    /// Builds the layer from a quantized weight (whose tensors the layer takes over, out of any dispose scope), an
    /// optional float bias and an optional per-input-channel scale (AWQ), both copied.
    /// </summary>
    public QuantizedLinear(QuantizedTensor weight, Tensor? bias = null, Tensor? inputScale = null) : base(nameof(QuantizedLinear))
    {
        if (bias is not null && (bias.ndim != 1 || bias.shape[0] != weight.OutFeatures))
            throw new ArgumentException($"Bias must have shape [{weight.OutFeatures}], got [{string.Join(", ", bias.shape)}].");
        if (inputScale is not null && (inputScale.ndim != 1 || inputScale.shape[0] != weight.InFeatures))
            throw new ArgumentException($"Input scale must have shape [{weight.InFeatures}], got [{string.Join(", ", inputScale.shape)}].");
        (Scheme, InFeatures, OutFeatures) = (weight.Scheme, weight.InFeatures, weight.OutFeatures);
        weight_codes = weight.Codes.DetachFromDisposeScope();
        weight_scales = weight.Scales.DetachFromDisposeScope();
        weight_zeros = weight.Zeros?.DetachFromDisposeScope();
        this.bias = bias?.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope();
        input_scale = inputScale?.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope();
        RegisterComponents(); // registers the non-null tensor fields as buffers: the state_dict holds exactly what is stored
    }

    /// <summary>Round-to-nearest quantization of a float <see cref="Linear"/> (its bias stays float32).</summary>
    public static QuantizedLinear FromLinear(Linear linear, QuantScheme scheme)
    {
        using var scope = NewDisposeScope();
        return new QuantizedLinear(QuantizedTensor.Quantize(linear.weight!, scheme), linear.bias);
    }

    /// <summary>The stored weight (sharing the layer's tensors; do not dispose it separately).</summary>
    public QuantizedTensor Weight => new(weight_codes, weight_scales, weight_zeros, Scheme, OutFeatures, InFeatures);

    /// <summary>The float bias, or null.</summary>
    public Tensor? Bias => bias;

    /// <summary>AWQ's per-input-channel multiplier, or null.</summary>
    public Tensor? InputScale => input_scale;

    /// <summary>The float32 weight this layer computes with, (out × in), after folding in the input scale: <c>y = x · Wᵀ + b</c> exactly as <see cref="forward"/>.</summary>
    public Tensor EffectiveWeight()
    {
        using var scope = NewDisposeScope();
        var w = QuantizedTensor.Dequantize(weight_codes, weight_scales, weight_zeros, Scheme, OutFeatures, InFeatures);
        return (input_scale is null ? w : w * input_scale).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var w = QuantizedTensor.Dequantize(weight_codes, weight_scales, weight_zeros, Scheme, OutFeatures, InFeatures);
        var x = input_scale is null ? input : input * input_scale;
        return nn.functional.linear(x, w, bias).MoveToOuterDisposeScope();
    }

    /// <summary>Bytes this layer keeps in memory: codes, scales, zero-points, bias and input scale.</summary>
    public long StorageBytes => named_buffers().Sum(b => QuantizedTensor.Bytes(b.buffer));
}
