using LlmCourse.Model;
using LlmCourse.Training;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// The healing fine-tune: a short run of ordinary language-model training after pruning, so the remaining weights
/// take over the work of the removed ones. It is the course's <see cref="Trainer"/>; for unstructured pruning the
/// mask is re-applied after every step so the pruned weights stay zero.
/// </summary>
public static class Healing
{
    /// <summary>
    /// Short-run settings: <paramref name="steps"/> steps at a constant 5e-4 after 5 warmup steps (a tenth of
    /// pretraining's peak, to adjust the weights rather than retrain them), validation only at the start and end.
    /// </summary>
    public static TrainingSettings Settings(int steps, int batchSize = 16) => BaseRecipe.Settings with
    {
        Steps = steps,
        BatchSize = batchSize,
        LearningRate = 5e-4,
        MinLearningRate = 5e-4,
        WarmupSteps = Math.Min(5, steps - 1),
        EvalEvery = 0,
        EvalWindows = 16,
    };

    /// <summary>Fine-tunes <paramref name="model"/> in place and returns its loss curves.</summary>
    /// <param name="model">The pruned model.</param>
    /// <param name="trainTokens">Training text as token ids (the pretraining text is the natural choice).</param>
    /// <param name="validationTokens">Held-out ids for the validation loss at the start and end.</param>
    /// <param name="settings">Usually <see cref="Settings"/>.</param>
    /// <param name="mask">The unstructured mask to keep applied, or null for a structurally pruned (or unpruned) model.</param>
    /// <param name="onStep">Called after every step (progress display).</param>
    /// <exception cref="ArgumentException">A setting is invalid or a token stream is shorter than one window.</exception>
    public static TrainingHistory Run(GptModel model, IReadOnlyList<int> trainTokens, IReadOnlyList<int> validationTokens,
        TrainingSettings settings, PruningMask? mask = null, Action<StepReport>? onStep = null)
    {
        using var trainer = new Trainer(model, trainTokens, validationTokens, settings);
        using var keep = mask?.KeepAppliedDuring(trainer);
        if (onStep is not null)
            trainer.StepCompleted += onStep;
        return trainer.Train();
    }
}
