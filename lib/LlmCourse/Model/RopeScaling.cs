using System.Text.Json.Serialization;

namespace LlmCourse.Model;

/// <summary>
/// How RoPE stretches to contexts longer than the model was trained on, set on a trained model without retraining
/// (<see cref="Rope.Scaling"/>, <see cref="GptModel.RopeScaling"/>). The default changes nothing. The three ways can be
/// combined, but each is usually used alone: <see cref="Linear"/>, <see cref="Ntk"/> or <see cref="Yarn"/>.
/// </summary>
/// <param name="PositionScale">
/// Linear position interpolation: position p is rotated as if it were p / PositionScale, so a model trained on 256
/// positions with scale 4 sees 1,024 positions squeezed into the angles it knows. 1 = off.
/// </param>
/// <param name="NtkAlpha">
/// NTK-aware scaling: the base grows to base·α^(d/(d−2)), which slows the low-frequency pairs (the ones that run out
/// of range) while leaving the fastest pair, which separates neighbours, almost unchanged. 1 = off.
/// </param>
/// <param name="ByParts">YaRN's per-pair interpolation and attention temperature; null = off.</param>
public sealed record RopeScaling(double PositionScale = 1, double NtkAlpha = 1, YarnScaling? ByParts = null)
{
    /// <summary>No scaling: the angles the model was trained with.</summary>
    public static RopeScaling None { get; } = new();

    /// <summary>Linear position interpolation by <paramref name="factor"/> (e.g. 4 to run a 256-trained model on 1,024).</summary>
    public static RopeScaling Linear(double factor) => new(PositionScale: factor);

    /// <summary>NTK-aware base scaling by <paramref name="alpha"/>.</summary>
    public static RopeScaling Ntk(double alpha) => new(NtkAlpha: alpha);

    /// <summary>
    /// YaRN (Peng et al. 2023) for a model trained on <paramref name="trainedLength"/> tokens, stretched by
    /// <paramref name="factor"/>: pairs that turn many times within the trained length keep their speed, pairs that
    /// turn less than once are interpolated like <see cref="Linear"/>, the ones between are blended; and the attention
    /// scores are sharpened by a temperature that grows with ln(factor).
    /// </summary>
    public static RopeScaling Yarn(double factor, int trainedLength, double alpha = 1, double beta = 32) =>
        new(ByParts: new YarnScaling(factor, trainedLength, alpha, beta));

    /// <summary>True when this scaling leaves every angle as trained.</summary>
    [JsonIgnore]
    public bool IsIdentity => PositionScale == 1 && NtkAlpha == 1 && (ByParts is null || ByParts.Factor == 1);

    /// <summary>Throws when a factor cannot be used.</summary>
    /// <exception cref="ArgumentException">A factor is not a finite number above zero, or the YaRN settings are invalid.</exception>
    public void Validate()
    {
        if (!(PositionScale > 0) || double.IsInfinity(PositionScale))
            throw new ArgumentException($"RopeScaling.PositionScale must be a finite number above 0 (got {PositionScale}); use 1 for no interpolation, 4 to stretch 4×.");
        if (!(NtkAlpha > 0) || double.IsInfinity(NtkAlpha))
            throw new ArgumentException($"RopeScaling.NtkAlpha must be a finite number above 0 (got {NtkAlpha}); use 1 for the trained base, e.g. 4 for a 4× longer context.");
        ByParts?.Validate();
    }
}

/// <summary>
/// YaRN's "NTK-by-parts" interpolation plus its attention temperature. Pair i turns r = <see cref="TrainedLength"/> / λᵢ
/// times within the trained context (λᵢ = 2π/θᵢ, its wavelength). Pairs with r ≥ <see cref="Beta"/> keep θᵢ (they
/// have seen every angle many times); pairs with r ≤ <see cref="Alpha"/> get θᵢ / <see cref="Factor"/> (linear
/// interpolation: they never completed a turn, so new angles would be unseen); between, a linear ramp in r blends the two.
/// </summary>
/// <param name="Factor">How many times longer the new context is (s).</param>
/// <param name="TrainedLength">The context length the model was trained on (L).</param>
/// <param name="Alpha">Turns below which a pair is fully interpolated (1 in the paper).</param>
/// <param name="Beta">Turns above which a pair is left alone (32 in the paper).</param>
/// <param name="Temperature">Multiply queries and keys by 0.1·ln(s) + 1 each, sharpening the scores that interpolation flattened.</param>
public sealed record YarnScaling(double Factor, int TrainedLength, double Alpha = 1, double Beta = 32, bool Temperature = true)
{
    /// <summary>The factor each query and key is multiplied by: 0.1·ln(s) + 1 (1 when <see cref="Temperature"/> is off or s ≤ 1).</summary>
    [JsonIgnore]
    public double Magnitude => Temperature && Factor > 1 ? 0.1 * Math.Log(Factor) + 1 : 1;

    /// <summary>The multiplier of θᵢ for a pair with inverse frequency <paramref name="inverseFrequency"/>: between 1/s and 1.</summary>
    public double FrequencyMultiplier(double inverseFrequency)
    {
        if (Factor == 1)
            return 1;
        var turns = TrainedLength * inverseFrequency / (2 * Math.PI);
        var keep = Math.Clamp((turns - Alpha) / (Beta - Alpha), 0, 1); // YaRN's γ: 1 = keep the trained speed
        return keep + (1 - keep) / Factor;
    }

    /// <summary>Throws when a setting cannot be used.</summary>
    /// <exception cref="ArgumentException">A non-positive factor or length, or a ramp with Alpha ≥ Beta.</exception>
    public void Validate()
    {
        if (!(Factor > 0) || double.IsInfinity(Factor))
            throw new ArgumentException($"YarnScaling.Factor must be a finite number above 0 (got {Factor}); it is target length / trained length, e.g. 2 to run a 128-token model on 256.");
        if (TrainedLength < 1)
            throw new ArgumentException($"YarnScaling.TrainedLength must be at least 1 (got {TrainedLength}); pass the context length the model was trained on, e.g. model.Config.ContextLength.");
        if (!(Alpha >= 0) || !(Beta > Alpha) || double.IsInfinity(Beta))
            throw new ArgumentException($"YarnScaling needs 0 <= Alpha < Beta (got Alpha {Alpha}, Beta {Beta}); the paper uses Alpha 1, Beta 32.");
    }
}
