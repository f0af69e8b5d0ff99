namespace LlmCourse.Model;

/// <summary>
/// How RoPE stretches to contexts longer than the model was trained on, set on a trained model without retraining
/// (<see cref="Rope.Scaling"/>). The default changes nothing.
/// </summary>
/// <param name="PositionScale">
/// Linear position interpolation: position p is rotated as if it were p / PositionScale, so a model trained on 256
/// positions with scale 4 sees 1,024 positions squeezed into the angles it knows. 1 = off.
/// </param>
/// <param name="NtkAlpha">
/// NTK-aware scaling: the base grows to base·α^(d/(d−2)), which slows the low-frequency pairs (the ones that run out
/// of range) while leaving the fastest pair, which separates neighbours, almost unchanged. 1 = off.
/// </param>
public sealed record RopeScaling(double PositionScale = 1, double NtkAlpha = 1)
{
    /// <summary>No scaling: the angles the model was trained with.</summary>
    public static RopeScaling None { get; } = new();

    /// <summary>Linear position interpolation by <paramref name="factor"/> (e.g. 4 to run a 256-trained model on 1,024).</summary>
    public static RopeScaling Linear(double factor) => new(PositionScale: factor);

    /// <summary>NTK-aware base scaling by <paramref name="alpha"/>.</summary>
    public static RopeScaling Ntk(double alpha) => new(NtkAlpha: alpha);

    /// <summary>True when this scaling leaves every angle as trained.</summary>
    public bool IsIdentity => PositionScale == 1 && NtkAlpha == 1;

    /// <summary>Throws when a factor cannot be used.</summary>
    /// <exception cref="ArgumentException">A factor is not a finite number above zero.</exception>
    public void Validate()
    {
        if (!(PositionScale > 0) || double.IsInfinity(PositionScale))
            throw new ArgumentException($"RopeScaling.PositionScale must be a finite number above 0 (got {PositionScale}); use 1 for no interpolation, 4 to stretch 4×.");
        if (!(NtkAlpha > 0) || double.IsInfinity(NtkAlpha))
            throw new ArgumentException($"RopeScaling.NtkAlpha must be a finite number above 0 (got {NtkAlpha}); use 1 for the trained base, e.g. 4 for a 4× longer context.");
    }
}
