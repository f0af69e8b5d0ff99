namespace LlmCourse.Training;

/// <summary>
/// Every knob of a pretraining run in one record, so a notebook shows them in one cell and changes one with
/// <c>settings with { Steps = 500 }</c>. One optimizer step sees BatchSize × AccumulationSteps sequences.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>Optimizer steps in the whole run (the schedule's length).</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Sequences per forward/backward pass (a micro-batch).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Micro-batches whose gradients are summed before one update: a batch of BatchSize × this at the memory of one micro-batch.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>The peak learning rate, reached after warmup.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>The floor the cosine decays to at the last step.</summary>
    public double MinLearningRate { get; init; } = 2e-4;

    /// <summary>Steps of linear warmup.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>AdamW's betas, epsilon and weight decay.</summary>
    public AdamWSettings AdamW { get; init; } = new();

    /// <summary>Largest allowed gradient norm: bigger gradients are scaled down to it (0 = no clipping).</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Measure the validation loss every this many steps (and at the end); 0 = only at the end.</summary>
    public int EvalEvery { get; init; } = 100;

    /// <summary>Validation windows (of the context length) per measurement, spread evenly over the held-out text.</summary>
    public int EvalWindows { get; init; } = 64;

    /// <summary>Seed of the batch order (and of dropout, through torch's generator).</summary>
    public long Seed { get; init; } = Course.DefaultSeed;

    /// <summary>The schedule these settings describe.</summary>
    public WarmupCosineSchedule Schedule => new(LearningRate, MinLearningRate, WarmupSteps, Steps);

    /// <summary>Throws when a setting is out of range; the message names it and gives a usable value.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public TrainingSettings Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps = {Steps}: train at least 1 step.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize = {BatchSize}: use at least 1 (16 is the course default).");
        if (AccumulationSteps < 1) throw new ArgumentException($"AccumulationSteps = {AccumulationSteps}: use 1 for no accumulation.");
        if (!(GradientClip >= 0)) throw new ArgumentException($"GradientClip = {GradientClip}: use 1.0, or 0 to turn clipping off.");
        if (EvalEvery < 0 || EvalWindows < 1) throw new ArgumentException($"EvalEvery ({EvalEvery}) must be >= 0 and EvalWindows ({EvalWindows}) >= 1.");
        Schedule.Validate();
        AdamW.Validate();
        return this;
    }
}
