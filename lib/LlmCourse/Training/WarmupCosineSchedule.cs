namespace LlmCourse.Training;

/// <summary>
/// The learning rate at every step: a linear warmup from near 0 to <see cref="MaxLearningRate"/> over
/// <see cref="WarmupSteps"/> steps, then half a cosine wave down to <see cref="MinLearningRate"/> at
/// <see cref="TotalSteps"/>, flat after that. Warmup keeps Adam's first, noisy updates small while its moment
/// estimates settle; the slow decay lets the model settle into a minimum instead of bouncing around it.
/// </summary>
/// <param name="MaxLearningRate">The peak rate, reached at the end of warmup.</param>
/// <param name="MinLearningRate">The floor the cosine decays to (often a tenth of the peak).</param>
/// <param name="WarmupSteps">Steps of linear warmup (0 = start at the peak).</param>
/// <param name="TotalSteps">The step at which the decay reaches the floor (the run's length).</param>
public sealed record WarmupCosineSchedule(double MaxLearningRate, double MinLearningRate, int WarmupSteps, int TotalSteps)
{
    /// <summary>Throws when the numbers cannot make a schedule; the message says which and why.</summary>
    /// <exception cref="ArgumentException">A rate is negative, the floor is above the peak, or the step counts are inconsistent.</exception>
    public WarmupCosineSchedule Validate()
    {
        if (!(MaxLearningRate > 0) || !(MinLearningRate >= 0) || MinLearningRate > MaxLearningRate)
            throw new ArgumentException($"Learning rates must satisfy 0 <= MinLearningRate ({MinLearningRate}) <= MaxLearningRate ({MaxLearningRate}), with a peak above 0 (e.g. 1e-3 and 1e-4).");
        if (WarmupSteps < 0 || TotalSteps < 1 || WarmupSteps > TotalSteps)
            throw new ArgumentException($"Steps must satisfy 0 <= WarmupSteps ({WarmupSteps}) <= TotalSteps ({TotalSteps}) and TotalSteps >= 1.");
        return this;
    }

    /// <summary>The learning rate for the update made at <paramref name="step"/> (0-based: the first update is step 0).</summary>
    public double At(int step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 0.");
        if (step < WarmupSteps)
            return MaxLearningRate * (step + 1) / WarmupSteps; // step 0 gets 1/W of the peak, never 0: an update of 0 would be wasted
        var decaySteps = TotalSteps - WarmupSteps;
        var progress = decaySteps == 0 ? 1 : Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        return MinLearningRate + 0.5 * (MaxLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress));
    }
}
