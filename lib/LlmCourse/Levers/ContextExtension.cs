using LlmCourse.Model;

namespace LlmCourse.Levers;

/// <summary>The ways to stretch RoPE to a longer context (<see cref="ContextExtension.Stretch"/>).</summary>
public enum RopeStretch
{
    /// <summary>Position interpolation: every position is divided by the factor, so the new length fits the trained angles.</summary>
    Linear,

    /// <summary>NTK-aware scaling: a larger base slows the slow pairs by the factor and leaves the fast ones almost as trained.</summary>
    Ntk,

    /// <summary>YaRN: fast pairs kept, slow pairs interpolated, a ramp between, and a temperature on the scores.</summary>
    Yarn,
}

/// <summary>
/// Context extension, the lever that makes a model read more than it was trained on. Two families: stretch RoPE so
/// longer distances map onto angles the model knows (<see cref="Stretch"/>, then a short fine-tune at the new
/// length with the ordinary <c>Trainer</c>), or keep every distance inside the trained range with sliding-window
/// attention (<see cref="GptModel.SlidingWindow"/>), which also caps the KV cache (<see cref="KvCacheBytes"/>).
/// </summary>
public static class ContextExtension
{
    /// <summary>The scaling that stretches a model trained on <paramref name="trainedLength"/> tokens to <paramref name="targetLength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length below 1, or a target shorter than the trained length.</exception>
    public static RopeScaling Scaling(RopeStretch method, int trainedLength, int targetLength)
    {
        if (trainedLength < 1)
            throw new ArgumentOutOfRangeException(nameof(trainedLength), trainedLength, "The trained length must be at least 1 token: pass the model's Config.ContextLength.");
        if (targetLength < trainedLength)
            throw new ArgumentOutOfRangeException(nameof(targetLength), targetLength,
                $"The target length must be at least the trained length ({trainedLength}): a model reads shorter texts as it is. Use e.g. {2 * trainedLength}.");
        var factor = (double)targetLength / trainedLength;
        return method switch
        {
            RopeStretch.Linear => RopeScaling.Linear(factor),
            RopeStretch.Ntk => RopeScaling.Ntk(factor),
            RopeStretch.Yarn => RopeScaling.Yarn(factor, trainedLength),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Use RopeStretch.Linear, Ntk or Yarn."),
        };
    }

    /// <summary>
    /// Stretches a trained RoPE model to <paramref name="targetLength"/> tokens in place, without retraining: sets its
    /// <see cref="GptModel.RopeScaling"/> for the factor target / current context length and makes the target its
    /// <see cref="GptModel.ContextLength"/> (so a <c>Trainer</c> built next fine-tunes on windows of that length).
    /// Returns the scaling. A target equal to the current length changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not use RoPE, or it was stretched already (load the checkpoint again).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The target is shorter than the model's context.</exception>
    public static RopeScaling Stretch(GptModel model, int targetLength, RopeStretch method)
    {
        if (model.Config.Positions != PositionKind.Rope)
            throw new InvalidOperationException($"RoPE scaling needs a RoPE model; this one uses {model.Config.Positions} positions. Use GptConfig.CpuDefault or Positions = Rope.");
        if (!model.RopeScaling.IsIdentity)
            throw new InvalidOperationException(
                $"This model is stretched already ({model.RopeScaling}); stretching a stretched model compounds the factors. Load the checkpoint again and stretch it once.");
        var scaling = Scaling(method, model.ContextLength, targetLength);
        model.RopeScaling = scaling;
        model.ContextLength = targetLength;
        return scaling;
    }

    /// <summary>
    /// KV-cache bytes after <paramref name="positions"/> tokens: a key and a value per head, layer and kept position.
    /// Full attention keeps every position (linear growth); a sliding window keeps at most <paramref name="window"/>
    /// (flat once full).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative positions, a window below 1, or a batch below 1.</exception>
    public static long KvCacheBytes(GptConfig config, int positions, int? window, int batch = 1, int bytesPerNumber = sizeof(float))
    {
        CheckWindow(positions, window);
        if (batch < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must hold at least 1 sequence.");
        return batch * config.KvCacheBytesPerToken(bytesPerNumber) * Math.Min(positions, window ?? positions);
    }

    /// <summary>
    /// Attention FLOPs (QKᵀ and the weighted sum of V) of reading <paramref name="positions"/> tokens: token t compares
    /// itself with min(t, window) keys, so full attention grows with the square of the length and a window linearly.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative positions or a window below 1.</exception>
    public static long AttentionFlops(GptConfig config, int positions, int? window)
    {
        CheckWindow(positions, window);
        var perKey = config.AttentionFlopsPerToken(1);
        long keys = 0;
        for (long t = 1; t <= positions; t++)
            keys += Math.Min(t, window ?? t);
        return perKey * keys;
    }

    private static void CheckWindow(int positions, int? window)
    {
        if (positions < 0)
            throw new ArgumentOutOfRangeException(nameof(positions), positions, "Positions cannot be negative.");
        if (window is < 1)
            throw new ArgumentOutOfRangeException(nameof(window), window, "A sliding window must hold at least 1 token; use null for full attention.");
    }
}
