using System.Diagnostics;
using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// Supervised fine-tuning: the pretraining loop (<see cref="AdamWOptimizer"/>, <see cref="WarmupCosineSchedule"/>,
/// clipping, a stop on NaN before the bad update) over padded batches of conversations, with the loss on the
/// assistant's answer tokens only (<see cref="SftBatch.Loss(GptModel)"/>). The data is drawn in shuffled passes
/// (epochs) rather than random windows: each conversation is a unit, and a small set is seen several times.
/// Pretraining's <see cref="Trainer"/> reads one long token stream, which SFT's separate conversations are not.
/// </summary>
public sealed class SftTrainer : IDisposable
{
    private readonly IReadOnlyList<FormattedChat> train;
    private readonly IReadOnlyList<FormattedChat> heldOut;
    private readonly List<TorchSharp.Modules.Parameter> parameters;
    private readonly SeededRandom random;
    private readonly WarmupCosineSchedule schedule;
    private readonly Queue<int> order = new();

    /// <summary>Prepares a run; nothing is trained until <see cref="Train"/>.</summary>
    /// <param name="model">The model to fine-tune (in place), e.g. the base checkpoint.</param>
    /// <param name="train">Training conversations (from <see cref="SftData.Build"/>).</param>
    /// <param name="heldOut">Held-out conversations for the held-out answer loss.</param>
    /// <param name="settings">The run's settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or a data set is empty.</exception>
    public SftTrainer(GptModel model, SftData train, SftData heldOut, SftSettings settings)
    {
        Settings = settings.Validate();
        Model = model;
        this.train = train.Examples;
        this.heldOut = heldOut.Examples;
        parameters = model.parameters().Where(p => p.requires_grad).ToList();
        Optimizer = new AdamWOptimizer(model.named_parameters(), settings.AdamW);
        schedule = settings.Schedule;
        random = new SeededRandom(settings.Seed);
        manual_seed(settings.Seed); // dropout, if the model has any
    }

    /// <summary>The model being fine-tuned.</summary>
    public GptModel Model { get; }

    /// <summary>The run's settings.</summary>
    public SftSettings Settings { get; }

    /// <summary>The optimizer.</summary>
    public AdamWOptimizer Optimizer { get; }

    /// <summary>Steps done.</summary>
    public int Step { get; private set; }

    /// <summary>Training answer loss per step and held-out answer loss per measurement (nats per answer token).</summary>
    public TrainingHistory History { get; } = new();

    /// <summary>Wall time spent in <see cref="Train"/> (held-out measurements included).</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Raised after every step (the loss is the batch's answer loss).</summary>
    public event Action<StepReport>? StepCompleted;

    /// <summary>Raised after every held-out measurement.</summary>
    public event Action<ValidationReport>? Validated;

    /// <summary>Trains until <see cref="SftSettings.Steps"/>; measures the held-out loss at step 0, every <see cref="SftSettings.EvalEvery"/> steps and at the end.</summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN/inf; the weights are those of the last good step.</exception>
    public TrainingHistory Train(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var start = Step;
        long tokens = 0;
        if (History.Validation.Count == 0)
            Validate();
        while (Step < Settings.Steps)
        {
            cancellation.ThrowIfCancellationRequested();
            var (loss, learningRate, norm, batchTokens) = TrainStep();
            tokens += batchTokens;
            var elapsed = clock.Elapsed;
            var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / (Step - start) * (Settings.Steps - Step));
            StepCompleted?.Invoke(new StepReport(Step, Settings.Steps, loss, learningRate, norm, tokens / Math.Max(1e-9, elapsed.TotalSeconds), elapsed, remaining));
            if ((Settings.EvalEvery > 0 && Step % Settings.EvalEvery == 0) || Step == Settings.Steps)
                Validate();
        }
        Elapsed += clock.Elapsed;
        return History;
    }

    private (double Loss, double LearningRate, double Norm, long Tokens) TrainStep()
    {
        var learningRate = schedule.At(Step);
        Model.train();
        double value;
        long tokens;
        using (var scope = NewDisposeScope())
        {
            using var batch = SftBatch.Create(NextExamples());
            tokens = batch.Inputs.numel();
            var loss = batch.Loss(Model);
            value = loss.item<float>();
            if (!double.IsFinite(value))
                Diverged(value, double.NaN, learningRate);
            loss.backward();
        }
        var norm = nn.utils.clip_grad_norm_(parameters, Settings.GradientClip > 0 ? Settings.GradientClip : double.MaxValue);
        if (!double.IsFinite(norm))
            Diverged(value, norm, learningRate);
        Optimizer.Step(learningRate);
        Optimizer.ZeroGrad();
        Step++;
        History.Train.Add(new LossPoint(Step, value));
        return (value, learningRate, norm, tokens);
    }

    /// <summary>The next batch's conversations: a fresh shuffled pass over the training set whenever the last one runs out.</summary>
    private List<FormattedChat> NextExamples()
    {
        var batch = new List<FormattedChat>(Settings.BatchSize);
        while (batch.Count < Settings.BatchSize)
        {
            if (order.Count == 0)
            {
                var pass = Enumerable.Range(0, train.Count).ToArray();
                for (var i = pass.Length - 1; i > 0; i--)
                {
                    var j = (int)random.NextLong(i + 1);
                    (pass[i], pass[j]) = (pass[j], pass[i]);
                }
                foreach (var index in pass)
                    order.Enqueue(index);
            }
            batch.Add(train[order.Dequeue()]);
        }
        return batch;
    }

    private void Diverged(double loss, double norm, double learningRate)
    {
        Optimizer.ZeroGrad();
        throw new TrainingDivergedException(Step, loss, norm, learningRate, null);
    }

    /// <summary>Measures the held-out answer loss now, records it and raises <see cref="Validated"/>.</summary>
    public ValidationReport Validate()
    {
        var report = new ValidationReport(Step, AnswerLoss(Model, heldOut));
        History.Validation.Add(new LossPoint(report.Step, report.Loss));
        Validated?.Invoke(report);
        return report;
    }

    /// <summary>
    /// Mean cross-entropy per answer token of <paramref name="model"/> over <paramref name="examples"/> (nats), in
    /// batches of <paramref name="batchSize"/>, without gradients; every answer token weighs the same.
    /// </summary>
    /// <exception cref="ArgumentException">No examples.</exception>
    public static double AnswerLoss(GptModel model, IReadOnlyList<FormattedChat> examples, int batchSize = 32)
    {
        if (examples.Count == 0)
            throw new ArgumentException("No examples to measure the answer loss on.", nameof(examples));
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double sum = 0;
            long count = 0;
            for (var start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var batch = SftBatch.Create(examples.Skip(start).Take(batchSize).ToList());
                var tokens = batch.AnswerTokens;
                sum += batch.Loss(model).item<float>() * tokens; // the loss is a mean over this batch's answer tokens
                count += tokens;
            }
            return sum / count;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Frees the optimizer state (not the model).</summary>
    public void Dispose() => Optimizer.Dispose();
}
