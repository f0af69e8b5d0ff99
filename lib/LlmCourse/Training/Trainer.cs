using System.Diagnostics;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>
/// Trains a <see cref="GptModel"/> as a causal language model on a stream of token ids: AdamW, warmup + cosine
/// schedule, gradient clipping, gradient accumulation, periodic validation loss, and a hard stop on NaN/inf before
/// the bad update reaches the weights. Progress arrives as events (<see cref="StepCompleted"/>,
/// <see cref="Validated"/>) a notebook turns into a live chart; the trainer itself knows nothing about notebooks.
/// Same seed, same thread count → the same losses, also across a checkpoint and <see cref="Resume"/>.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TokenBatches batches;
    private readonly Tensor validation;
    private readonly List<TorchSharp.Modules.Parameter> parameters;
    private readonly WarmupCosineSchedule schedule;

    /// <summary>Prepares a run. Nothing is trained until <see cref="Train"/> or <see cref="TrainStep"/>.</summary>
    /// <param name="model">The model to train (in place).</param>
    /// <param name="trainTokens">The training text as token ids.</param>
    /// <param name="validationTokens">Held-out token ids for the validation loss.</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="tokenizer">Saved into checkpoints so they are self-contained; optional.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or a token stream is shorter than one context window.</exception>
    public Trainer(GptModel model, IReadOnlyList<int> trainTokens, IReadOnlyList<int> validationTokens, TrainingSettings settings, ITokenizer? tokenizer = null)
    {
        Settings = settings.Validate();
        Model = model;
        Tokenizer = tokenizer;
        var context = model.Config.ContextLength;
        if (validationTokens.Count < context + 1)
            throw new ArgumentException($"The validation text has {validationTokens.Count} tokens, fewer than one window of {context} + 1. Hold out more text.");
        batches = new TokenBatches(trainTokens, context, settings.BatchSize, settings.Seed);
        validation = tensor(validationTokens.Select(t => (long)t).ToArray()).DetachFromDisposeScope();
        parameters = model.parameters().Where(p => p.requires_grad).ToList();
        Optimizer = new AdamWOptimizer(model.named_parameters(), settings.AdamW);
        schedule = settings.Schedule;
        manual_seed(settings.Seed); // dropout draws from torch's global generator
    }

    /// <summary>The model being trained.</summary>
    public GptModel Model { get; }

    /// <summary>The tokenizer written into checkpoints (may be null).</summary>
    public ITokenizer? Tokenizer { get; }

    /// <summary>The run's settings.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>The optimizer (its state is saved with checkpoints).</summary>
    public AdamWOptimizer Optimizer { get; }

    /// <summary>Optimizer steps completed.</summary>
    public int Step { get; private set; }

    /// <summary>Training tokens consumed.</summary>
    public long TokensSeen { get; private set; }

    /// <summary>Loss curves so far.</summary>
    public TrainingHistory History { get; private set; } = new();

    /// <summary>Where <see cref="Train"/> saves checkpoints (every <see cref="CheckpointEvery"/> steps and at the end); null = never.</summary>
    public string? CheckpointFolder { get; set; }

    /// <summary>Steps between checkpoints when <see cref="CheckpointFolder"/> is set (0 = only at the end).</summary>
    public int CheckpointEvery { get; set; }

    /// <summary>The newest checkpoint this trainer wrote (or resumed from).</summary>
    public string? LastCheckpoint { get; private set; }

    /// <summary>Raised after every optimizer step.</summary>
    public event Action<StepReport>? StepCompleted;

    /// <summary>Raised after every validation measurement.</summary>
    public event Action<ValidationReport>? Validated;

    /// <summary>Tokens one optimizer step consumes.</summary>
    public long TokensPerStep => (long)Settings.BatchSize * Settings.AccumulationSteps * Model.Config.ContextLength;

    /// <summary>
    /// Trains until <see cref="TrainingSettings.Steps"/> (or <paramref name="untilStep"/>, to stop early and resume later).
    /// Measures validation loss at step 0, every <see cref="TrainingSettings.EvalEvery"/> steps and at the last step.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN/inf; the weights are those of the last good step.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (between steps).</exception>
    public TrainingHistory Train(int? untilStep = null, CancellationToken cancellation = default)
    {
        var end = Math.Min(untilStep ?? Settings.Steps, Settings.Steps);
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        if (History.Validation.Count == 0)
            Validate();
        while (Step < end)
        {
            cancellation.ThrowIfCancellationRequested();
            var (loss, learningRate, norm) = TrainStepCore();
            var elapsed = clock.Elapsed;
            var done = Step - startStep;
            var tokensPerSecond = done * TokensPerStep / Math.Max(1e-9, elapsed.TotalSeconds);
            var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (Settings.Steps - Step));
            StepCompleted?.Invoke(new StepReport(Step, Settings.Steps, loss, learningRate, norm, tokensPerSecond, elapsed, remaining));
            if ((Settings.EvalEvery > 0 && Step % Settings.EvalEvery == 0) || Step == Settings.Steps)
                Validate();
            if (CheckpointFolder is not null && ((CheckpointEvery > 0 && Step % CheckpointEvery == 0) || Step == end))
                SaveCheckpoint(CheckpointFolder);
        }
        return History;
    }

    /// <summary>One optimizer step (with its micro-batches); returns the mean training loss.</summary>
    /// <exception cref="TrainingDivergedException">The loss or gradient was NaN/inf; no update was applied.</exception>
    public double TrainStep() => TrainStepCore().Loss;

    private (double Loss, double LearningRate, double GradientNorm) TrainStepCore()
    {
        var learningRate = schedule.At(Step);
        var meanLoss = ComputeGradients(learningRate);
        var norm = nn.utils.clip_grad_norm_(parameters, Settings.GradientClip > 0 ? Settings.GradientClip : double.MaxValue);
        if (!double.IsFinite(norm))
            Diverged(meanLoss, norm, learningRate);
        Optimizer.Step(learningRate);
        Optimizer.ZeroGrad();
        Step++;
        TokensSeen += TokensPerStep;
        History.Train.Add(new LossPoint(Step, meanLoss));
        return (meanLoss, learningRate, norm);
    }

    /// <summary>
    /// Runs the step's micro-batches forward and backward, leaving the summed gradients in the parameters' <c>.grad</c>;
    /// returns the mean loss. Exposed to tests (accumulation must equal one big batch).
    /// </summary>
    internal double ComputeGradients(double learningRate = double.NaN)
    {
        Model.train();
        double lossSum = 0;
        for (var micro = 0; micro < Settings.AccumulationSteps; micro++)
        {
            using var scope = NewDisposeScope();
            var (input, target) = batches.Next();
            var loss = Model.Loss(input, target);
            var value = loss.item<float>();
            if (!double.IsFinite(value))
                Diverged(value, double.NaN, learningRate);
            // Each micro-batch's loss is a mean over its tokens; dividing by the number of micro-batches makes the
            // summed gradients the gradient of the mean over all of them, the same as one big batch.
            (loss / Settings.AccumulationSteps).backward();
            lossSum += value;
        }
        return lossSum / Settings.AccumulationSteps;
    }

    private void Diverged(double loss, double norm, double learningRate)
    {
        Optimizer.ZeroGrad();
        throw new TrainingDivergedException(Step, loss, norm, learningRate, LastCheckpoint);
    }

    /// <summary>Measures the validation loss now, records it and raises <see cref="Validated"/>.</summary>
    public ValidationReport Validate()
    {
        var report = new ValidationReport(Step, HeldOutLoss.MeanOfTensor(Model, validation, Settings.EvalWindows, Settings.BatchSize));
        History.Validation.Add(new LossPoint(report.Step, report.Loss));
        Validated?.Invoke(report);
        return report;
    }

    /// <summary>The run's state as a checkpoint stores it.</summary>
    public TrainingState State => new(Step, TokensSeen, batches.Random.State,
        Convert.ToBase64String(TorchRandomState()), Settings, History);

    /// <summary>Saves weights (fp32), config, tokenizer, optimizer and training state into <paramref name="folder"/>, atomically.</summary>
    public string SaveCheckpoint(string folder)
    {
        LastCheckpoint = GptCheckpoint.Save(folder, Model, Tokenizer, State, Optimizer);
        return LastCheckpoint;
    }

    /// <summary>
    /// Rebuilds a trainer from a checkpoint written by <see cref="SaveCheckpoint"/>: the model from its config and
    /// weights, the optimizer state, the data position and torch's generator. Training on continues bit-identically
    /// to a run that never stopped (at the same thread count).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint lacks training state (e.g. a weights-only release) or is damaged.</exception>
    public static Trainer Resume(string folder, IReadOnlyList<int> trainTokens, IReadOnlyList<int> validationTokens)
    {
        var loaded = GptCheckpoint.Load(folder);
        if (loaded.State is not { } state || !loaded.Checkpoint.Has(GptCheckpoint.OptimizerFile))
            throw new InvalidDataException($"Checkpoint '{folder}' has no training state (it holds weights only). Load it with GptCheckpoint.Load to use or fine-tune the model; a resume needs a checkpoint written by Trainer.SaveCheckpoint.");
        var trainer = new Trainer(loaded.Model, trainTokens, validationTokens, state.Settings, loaded.Tokenizer);
        trainer.Optimizer.LoadState(loaded.Checkpoint.PathOf(GptCheckpoint.OptimizerFile));
        trainer.batches.Random.State = state.DataRandomState;
        using (var rng = tensor(Convert.FromBase64String(state.TorchRandomState)))
            set_rng_state(rng);
        trainer.Step = state.Step;
        trainer.TokensSeen = state.TokensSeen;
        trainer.History = state.History;
        trainer.LastCheckpoint = loaded.Checkpoint.Folder;
        return trainer;
    }

    private static byte[] TorchRandomState()
    {
        using var state = get_rng_state();
        return state.bytes.ToArray();
    }

    /// <summary>Frees the optimizer state and the token tensors (not the model).</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        batches.Dispose();
        validation.Dispose();
    }
}
