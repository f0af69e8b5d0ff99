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
    /// Short-run settings: <paramref name="steps"/> steps that warm up over 5 steps to 3e-4 and decay to 3e-5, about
    /// where pretraining's own schedule ended (its floor is 2e-4): enough to let the remaining weights adjust, not so much
    /// that the run becomes more pretraining. Validation only at the start and end.
    /// </summary>
    public static TrainingSettings Settings(int steps, int batchSize = 16) => BaseRecipe.Settings with
    {
        Steps = steps,
        BatchSize = batchSize,
        LearningRate = 3e-4,
        MinLearningRate = 3e-5,
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
