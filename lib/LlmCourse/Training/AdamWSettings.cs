namespace LlmCourse.Training;

/// <summary>AdamW's hyperparameters apart from the learning rate (which the schedule sets per step).</summary>
/// <param name="Beta1">Decay of the gradient's running mean (momentum), usually 0.9.</param>
/// <param name="Beta2">Decay of the squared gradient's running mean; 0.95 (GPT-3, nanoGPT) reacts faster than the textbook 0.999, which helps small, short runs.</param>
/// <param name="Epsilon">Added to the denominator so tiny second moments cannot blow up an update.</param>
/// <param name="WeightDecay">Fraction of each decayed weight removed per unit learning rate (0.1 is usual).</param>
public sealed record AdamWSettings(double Beta1 = 0.9, double Beta2 = 0.95, double Epsilon = 1e-8, double WeightDecay = 0.1)
{
    /// <summary>Throws when a value is out of range; the message gives the range.</summary>
    /// <exception cref="ArgumentException">A beta outside [0, 1), a non-positive epsilon or a negative weight decay.</exception>
    public AdamWSettings Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
            throw new ArgumentException($"Betas must be in [0, 1) (got {Beta1}, {Beta2}); 0.9 and 0.95 are good defaults.");
        if (!(Epsilon > 0))
            throw new ArgumentException($"Epsilon must be above 0 (got {Epsilon}); 1e-8 is usual.");
        if (!(WeightDecay >= 0))
            throw new ArgumentException($"WeightDecay must be 0 or more (got {WeightDecay}); 0.1 is usual, 0 turns it off.");
        return this;
    }
}
