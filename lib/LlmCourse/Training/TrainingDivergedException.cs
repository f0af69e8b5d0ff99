namespace LlmCourse.Training;

/// <summary>
/// Training produced a NaN or infinite loss or gradient. The trainer stops before the bad update touches the weights,
/// so the model in memory and the last checkpoint on disk are the last good ones.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a step whose loss or gradient norm was not finite.</summary>
    public TrainingDivergedException(int step, double loss, double gradientNorm, double learningRate, string? lastGoodCheckpoint)
        : base(Compose(step, loss, gradientNorm, learningRate, lastGoodCheckpoint))
    {
        Step = step;
        Loss = loss;
        GradientNorm = gradientNorm;
        LastGoodCheckpoint = lastGoodCheckpoint;
    }

    /// <summary>The step whose update was refused.</summary>
    public int Step { get; }

    /// <summary>Its loss (maybe NaN or infinite).</summary>
    public double Loss { get; }

    /// <summary>Its gradient norm before clipping (maybe NaN or infinite; NaN too when the loss was already bad).</summary>
    public double GradientNorm { get; }

    /// <summary>The newest checkpoint written before the failure, or null when none was.</summary>
    public string? LastGoodCheckpoint { get; }

    private static string Compose(int step, double loss, double gradientNorm, double learningRate, string? checkpoint) =>
        $"Training diverged at step {step}: loss = {loss}, gradient norm = {gradientNorm} at learning rate {learningRate:G3}. " +
        "The update was not applied. Try a lower learning rate (halve it), a longer warmup, or a smaller gradient clip. " +
        (checkpoint is null ? "No checkpoint was written yet." : $"The last good checkpoint is '{checkpoint}'.");
}
