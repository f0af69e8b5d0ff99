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

    /// <summary>Seed of the order the conversations are drawn in (and of the replay windows).</summary>
    public long Seed { get; init; } = Course.DefaultSeed;

    /// <summary>
    /// Windows of plain pretraining text (a context each) added to every step with the ordinary language-model loss on
    /// every token: <b>replay</b>, which keeps the old skill in use while the new one is learned. 0 = none (the
    /// classic answer-only SFT). Needs a <see cref="ReplayText"/> given to the trainer.
    /// </summary>
    public int ReplayWindows { get; init; }

    /// <summary>The step's loss is the answer loss + ReplayWeight × the replay loss (each a mean over its own tokens).</summary>
    public double ReplayWeight { get; init; } = 1.0;

    /// <summary>
    /// Held-out text windows measured at every validation when the trainer has a <see cref="ReplayText"/> (the
    /// forgetting curve; replay or not); 0 = none.
    /// </summary>
    public int TextEvalWindows { get; init; } = 32;

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
        if (ReplayWindows < 0) throw new ArgumentException($"ReplayWindows = {ReplayWindows}: use 0 (no replay) or more windows per step.");
        if (!(ReplayWeight >= 0) || double.IsInfinity(ReplayWeight)) throw new ArgumentException($"ReplayWeight = {ReplayWeight}: use a finite weight >= 0 (1 weighs a replay token like an answer token's mean).");
        if (TextEvalWindows < 0) throw new ArgumentException($"TextEvalWindows = {TextEvalWindows}: use 0 (do not measure held-out text) or more.");
        Schedule.Validate();
        AdamW.Validate();
        return this;
    }
}
