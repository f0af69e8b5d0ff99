namespace LlmCourse.Model;

/// <summary>How a model knows where each token sits.</summary>
public enum PositionKind
{
    /// <summary>A learned vector per position, added to the token embedding (GPT-2). Stops at the context length.</summary>
    Learned,

    /// <summary>Fixed sin/cos waves added to the token embedding (the original Transformer). Nothing learned.</summary>
    Sinusoidal,

    /// <summary>Queries and keys are rotated by position-dependent angles (Llama and most modern models).</summary>
    Rope,
}

/// <summary>The normalisation before attention and before the MLP.</summary>
public enum NormKind
{
    /// <summary>Subtract the mean, divide by the standard deviation, scale (and shift, with bias).</summary>
    LayerNorm,

    /// <summary>Divide by the root mean square and scale: LayerNorm without centring, a little cheaper (Llama).</summary>
    RmsNorm,
}

/// <summary>The feed-forward network inside each block.</summary>
public enum MlpKind
{
    /// <summary>Up-projection, GELU, down-projection (GPT-2).</summary>
    Gelu,

    /// <summary>Two up-projections, one gated by SiLU of the other, then down (Llama, PaLM).</summary>
    SwiGlu,
}

/// <summary>Which formula the GELU of a <see cref="MlpKind.Gelu"/> MLP uses.</summary>
public enum GeluApproximation
{
    /// <summary>The exact GELU, x·Φ(x) with the Gaussian CDF Φ written through erf (PyTorch's default).</summary>
    None,

    /// <summary>
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): the approximation GPT-2 was trained with (Hugging Face calls it
    /// "gelu_new"). It differs from the exact GELU by up to ~3e-4, enough to matter when loading GPT-2's weights.
    /// </summary>
    Tanh,
}

/// <summary>Which code computes attention; both give the same numbers (to about 1e-6).</summary>
public enum AttentionKernel
{
    /// <summary>The formula written out: QKᵀ/√d, mask, softmax, ·V. Slower; can return the attention weights.</summary>
    Explicit,

    /// <summary>TorchSharp's fused <c>scaled_dot_product_attention</c>. Faster and leaner; no weights to look at.</summary>
    Sdpa,
}
