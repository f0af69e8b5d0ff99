namespace LlmCourse.Training;

/// <summary>What one optimizer step did; the trainer raises <see cref="Trainer.StepCompleted"/> with it.</summary>
/// <param name="Step">Steps completed so far (1 after the first update).</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Loss">Mean training loss of the step's micro-batches (nats per token).</param>
/// <param name="LearningRate">The rate used for this update.</param>
/// <param name="GradientNorm">The gradient's norm before clipping.</param>
/// <param name="TokensPerSecond">Training throughput since this run (or resume) started.</param>
/// <param name="Elapsed">Wall time since this run (or resume) started.</param>
/// <param name="Remaining">Estimated time to the last step at the current throughput.</param>
public sealed record StepReport(int Step, int TotalSteps, double Loss, double LearningRate, double GradientNorm,
    double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining)
{
    /// <summary>A one-line progress report, e.g. "step 120/1000 · loss 2.314 · lr 1.9e-03 · 6,120 tok/s · 2:03 left".</summary>
    public override string ToString() =>
        $"step {Step}/{TotalSteps} · loss {Loss:F3} · lr {LearningRate:0.0e+00} · |g| {GradientNorm:F2} · {TokensPerSecond:N0} tok/s · " +
        $"{Elapsed:m\\:ss} elapsed · {Remaining:m\\:ss} left";
}

/// <summary>A validation measurement: the mean loss on held-out text at a step.</summary>
/// <param name="Step">Steps completed when it was measured.</param>
/// <param name="Loss">Mean next-token loss on the validation windows (nats per token).</param>
public sealed record ValidationReport(int Step, double Loss)
{
    /// <summary>The loss as perplexity: e^loss, the number of equally likely tokens the model is "choosing between".</summary>
    public double Perplexity => Math.Exp(Loss);
}

/// <summary>One point of a loss curve.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="Loss">Loss in nats per token.</param>
public readonly record struct LossPoint(int Step, double Loss);

/// <summary>The curves of a run so far (training loss per step, validation loss per measurement), kept in checkpoints.</summary>
public sealed class TrainingHistory
{
    /// <summary>Training loss after every step.</summary>
    public List<LossPoint> Train { get; init; } = [];

    /// <summary>Validation loss at every measurement.</summary>
    public List<LossPoint> Validation { get; init; } = [];
}
