using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// The knobs of a supervised fine-tune. The optimizer and schedule are pretraining's (AdamW, warmup + cosine, clipping);
/// the values are gentler: a lower peak rate and no weight decay, because the aim is to teach a format on top of
/// what the model knows, not to pull its weights somewhere new.
/// </summary>
public sealed record SftSettings
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Conversations per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate, after warmup.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The floor the cosine reaches at the last step.</summary>
    public double MinLearningRate { get; init; } = 1e-4;

    /// <summary>Steps of linear warmup.</summary>
    public int WarmupSteps { get; init; } = 20;

    /// <summary>AdamW's betas, epsilon and weight decay (none by default).</summary>
    public AdamWSettings AdamW { get; init; } = new(WeightDecay: 0);

    /// <summary>Largest gradient norm (0 = no clipping).</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Measure the held-out answer loss every this many steps (and at the end); 0 = only at the end.</summary>
    public int EvalEvery { get; init; } = 25;

    /// <summary>Seed of the order the conversations are drawn in.</summary>
    public long Seed { get; init; } = Course.DefaultSeed;

    /// <summary>The schedule these settings describe.</summary>
    public WarmupCosineSchedule Schedule => new(LearningRate, MinLearningRate, Math.Min(WarmupSteps, Steps), Steps);

    /// <summary>Throws when a setting is out of range; the message names it.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public SftSettings Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps = {Steps}: train at least 1 step.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize = {BatchSize}: use at least 1 (16 is the default).");
        if (!(GradientClip >= 0)) throw new ArgumentException($"GradientClip = {GradientClip}: use 1.0, or 0 to turn clipping off.");
        if (EvalEvery < 0) throw new ArgumentException($"EvalEvery = {EvalEvery}: use 0 (only at the end) or more.");
        Schedule.Validate();
        AdamW.Validate();
        return this;
    }
}
