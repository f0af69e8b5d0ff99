namespace LlmCourse.Model;

// Back-of-the-envelope arithmetic that a test holds to the live module: parameters counted by formula, FLOPs by the
// usual convention (2 FLOPs per multiply-add of a weight, Kaplan et al. 2020).
public sealed partial record GptConfig
{
    /// <summary>Total parameters of a model built from this config (tied head counted once).</summary>
    public long ParameterCount() => EmbeddingParameterCount() + Enumerable.Range(0, Layers).Sum(l => BlockParameterCount(l, activeOnly: false))
                                    + NormParameterCount() + (TiedHead ? 0 : (long)VocabSize * Width);

    /// <summary>Parameters one token actually uses: for a Mixture of Experts only <see cref="ExpertsPerToken"/> experts count.</summary>
    public long ActiveParameterCount() => EmbeddingParameterCount() + Enumerable.Range(0, Layers).Sum(l => BlockParameterCount(l, activeOnly: true))
                                          + NormParameterCount() + (TiedHead ? 0 : (long)VocabSize * Width);

    /// <summary>Token-embedding (and learned-position) parameters.</summary>
    public long EmbeddingParameterCount() => (long)VocabSize * Width + (Positions == PositionKind.Learned ? (long)ContextLength * Width : 0);

    /// <summary>Parameters of block <paramref name="layer"/>; with <paramref name="activeOnly"/> only the experts a token uses.</summary>
    public long BlockParameterCount(int layer, bool activeOnly = false)
    {
        long w = Width, a = (long)HeadsAt(layer) * HeadDim, bias = Bias ? 1 : 0;
        var attention = 3 * (w * a + bias * a) + a * w + bias * w;
        var mlp = IsMixtureOfExperts
            ? w * Experts + (activeOnly ? ExpertsPerToken : Experts) * MlpParameterCount(MlpWidthAt(layer))
            : MlpParameterCount(MlpWidthAt(layer));
        return 2 * NormParameterCount() + attention + mlp;
    }

    private long MlpParameterCount(long hidden)
    {
        long w = Width, bias = Bias ? 1 : 0;
        var upProjections = Mlp == MlpKind.SwiGlu ? 2 : 1;
        return upProjections * (w * hidden + bias * hidden) + hidden * w + bias * w;
    }

    private long NormParameterCount() => Norm == NormKind.LayerNorm && Bias ? 2L * Width : Width;

    /// <summary>
    /// Weights multiplied once per token in a forward pass: attention and MLP projections (active experts and the
    /// router for a MoE) and the output head. Embedding lookups, biases and norms are not multiplications.
    /// </summary>
    public long MatmulWeightsPerToken()
    {
        long w = Width, total = (long)VocabSize * Width; // the head, tied or not
        for (var l = 0; l < Layers; l++)
        {
            long a = (long)HeadsAt(l) * HeadDim, hidden = MlpWidthAt(l);
            var mlp = (Mlp == MlpKind.SwiGlu ? 3 : 2) * w * hidden;
            total += 4 * w * a + (IsMixtureOfExperts ? w * Experts + ExpertsPerToken * mlp : mlp);
        }
        return total;
    }

    /// <summary>
    /// FLOPs of QKᵀ and of the weighted sum of V for one token attending over <paramref name="contextLength"/> keys
    /// (default: the full context): 2·2·T·(heads·headDim) per layer.
    /// </summary>
    public long AttentionFlopsPerToken(int? contextLength = null)
    {
        long t = contextLength ?? ContextLength;
        return Enumerable.Range(0, Layers).Sum(l => 4 * t * HeadsAt(l) * HeadDim);
    }

    /// <summary>Forward-pass FLOPs per token: 2 per weight multiply-add plus attention. A training step costs about 3× this.</summary>
    public long FlopsPerToken(int? contextLength = null) => 2 * MatmulWeightsPerToken() + AttentionFlopsPerToken(contextLength);

    /// <summary>Training FLOPs per token (forward + backward ≈ 3 × forward).</summary>
    public long TrainingFlopsPerToken(int? contextLength = null) => 3 * FlopsPerToken(contextLength);

    /// <summary>Bytes the KV cache needs per token of context: a key and a value per head per layer.</summary>
    public long KvCacheBytesPerToken(int bytesPerNumber = sizeof(float)) =>
        2L * bytesPerNumber * Enumerable.Range(0, Layers).Sum(l => (long)HeadsAt(l) * HeadDim);
}
