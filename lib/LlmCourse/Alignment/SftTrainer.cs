using System.Diagnostics;
using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>A held-out measurement during SFT.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="AnswerLoss">Mean loss per answer token on the held-out conversations (nats).</param>
/// <param name="TextLoss">Mean loss per token on held-out pretraining text (nats), or null without a <see cref="ReplayText"/>.</param>
/// <param name="TextBitsPerCharacter"><paramref name="TextLoss"/> as bits per character, or null.</param>
public sealed record SftValidation(int Step, double AnswerLoss, double? TextLoss, double? TextBitsPerCharacter)
{
    /// <summary>One line, e.g. "step 100: held-out answer loss 0.912 · held-out text 1.702 bits/char".</summary>
    public override string ToString() =>
        $"step {Step}: held-out answer loss {AnswerLoss:F3} nats/token" + (TextBitsPerCharacter is { } b ? $" · held-out text {b:F3} bits/char" : "");
}

/// <summary>
/// Supervised fine-tuning: the pretraining loop (<see cref="AdamWOptimizer"/>, <see cref="WarmupCosineSchedule"/>,
/// clipping, a stop on NaN before the bad update) over padded batches of conversations, with the loss on the
/// assistant's answer tokens only (<see cref="SftBatch.Loss(GptModel)"/>). The data is drawn in shuffled passes
/// (epochs) rather than random windows: each conversation is a unit, and a small set is seen several times.
/// Pretraining's <see cref="Trainer"/> reads one long token stream, which SFT's separate conversations are not.
/// </summary>
/// <remarks>
/// Two additions against forgetting and for mixing data: several <see cref="SftSource"/>s, each with a fixed share of
/// every batch (and its own shuffled passes); and <b>replay</b>: with <see cref="SftSettings.ReplayWindows"/> &gt; 0,
/// every step also draws that many windows of pretraining text (<see cref="ReplayText"/>) and adds their ordinary
/// language-model loss, weighted by <see cref="SftSettings.ReplayWeight"/>. Given a <see cref="ReplayText"/>, every
/// validation also measures the held-out text, replay or not: the forgetting curve.
/// </remarks>
public sealed class SftTrainer : IDisposable
{
    private readonly IReadOnlyList<SftSource> sources;
    private readonly int[] perBatch;
    private readonly Queue<int>[] orders;
    private readonly IReadOnlyList<FormattedChat> heldOut;
    private readonly List<TorchSharp.Modules.Parameter> parameters;
    private readonly SeededRandom random;
    private readonly WarmupCosineSchedule schedule;
    private readonly ReplayText? replay;
    private readonly TokenBatches? replayBatches;

    /// <summary>Prepares a run on one set of conversations; nothing is trained until <see cref="Train"/>.</summary>
    /// <param name="model">The model to fine-tune (in place), e.g. the base checkpoint.</param>
    /// <param name="train">Training conversations (from <see cref="SftData.Build(IEnumerable{ChatSample}, ChatTemplate)"/>).</param>
    /// <param name="heldOut">Held-out conversations for the held-out answer loss.</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="replay">Pretraining text to replay and to measure forgetting on; required when <see cref="SftSettings.ReplayWindows"/> &gt; 0.</param>
    /// <exception cref="ArgumentException">A setting is invalid, a data set is empty, or replay is asked for without a text.</exception>
    public SftTrainer(GptModel model, SftData train, SftData heldOut, SftSettings settings, ReplayText? replay = null)
        : this(model, [new SftSource("train", train, 1)], heldOut, settings, replay)
    {
    }

    /// <summary>Prepares a run on several sources, each with a fixed share of every batch (<see cref="SftSource.Apportion"/>).</summary>
    /// <param name="model">The model to fine-tune (in place), e.g. the base checkpoint.</param>
    /// <param name="sources">Training conversations by source, with weights.</param>
    /// <param name="heldOut">Held-out conversations for the held-out answer loss.</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="replay">Pretraining text to replay and to measure forgetting on; required when <see cref="SftSettings.ReplayWindows"/> &gt; 0.</param>
    /// <exception cref="ArgumentException">A setting is invalid, a data set is empty, a source gets no share, or replay is asked for without a text.</exception>
    public SftTrainer(GptModel model, IReadOnlyList<SftSource> sources, SftData heldOut, SftSettings settings, ReplayText? replay = null)
    {
        Settings = settings.Validate();
        perBatch = SftSource.Apportion(sources, settings.BatchSize);
        foreach (var s in sources)
            if (s.Data.Examples.Count == 0)
                throw new ArgumentException($"Source '{s.Name}' has no conversations.", nameof(sources));
        if (heldOut.Examples.Count == 0)
            throw new ArgumentException("The held-out set has no conversations.", nameof(heldOut));
        if (settings.ReplayWindows > 0 && replay is null)
            throw new ArgumentException(
                $"SftSettings.ReplayWindows = {settings.ReplayWindows} asks for replay, but no replay text was given: pass " +
                "ReplayText.FromCorpus(Corpus.Austen, tokenizer) (or SftRecipe.Replay(tokenizer)), or set ReplayWindows = 0 for answer-only SFT.", nameof(replay));
        Model = model;
        this.sources = sources;
        orders = sources.Select(_ => new Queue<int>()).ToArray();
        SourceDraws = new long[sources.Count];
        this.heldOut = heldOut.Examples;
        this.replay = replay;
        if (settings.ReplayWindows > 0)
            replayBatches = new TokenBatches(replay!.TrainTokens, model.Config.ContextLength, settings.ReplayWindows, settings.Seed ^ 0x5245_504C); // "REPL"
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

    /// <summary>
    /// The plain-text side (nats per token): the replay loss per step (empty without replay) and the held-out text
    /// loss per measurement (empty without a <see cref="ReplayText"/>).
    /// </summary>
    public TrainingHistory TextHistory { get; } = new();

    /// <summary>Conversations drawn so far from each source, in the order the sources were given.</summary>
    public long[] SourceDraws { get; }

    /// <summary>Conversations each source gives to every batch.</summary>
    public IReadOnlyList<int> PerBatch => perBatch;

    /// <summary>Replay tokens read so far (windows × context).</summary>
    public long ReplayTokens { get; private set; }

    /// <summary>Wall time spent in <see cref="Train"/> (held-out measurements included).</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Raised after every step (the loss is the batch's answer loss).</summary>
    public event Action<StepReport>? StepCompleted;

    /// <summary>Raised after every held-out measurement.</summary>
    public event Action<SftValidation>? Validated;

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
            // One padded batch per source: sources differ in length (a reading lesson is four times an instruction),
            // and padding every row to the longest would spend most of the step on padding. The loss is still the
            // mean over all answer tokens of the step.
            var groups = NextExamples();
            tokens = 0;
            Tensor? sum = null;
            long answerTokens = 0;
            foreach (var group in groups)
            {
                var batch = SftBatch.Create(group); // its tensors belong to the step's dispose scope, freed after backward
                tokens += batch.Inputs.numel();
                var groupLoss = batch.Loss(Model);
                if (groups.Count == 1)
                {
                    sum = groupLoss;
                    answerTokens = 1;
                    break;
                }
                var count = batch.AnswerTokens;
                sum = sum is null ? groupLoss * count : sum + groupLoss * count;
                answerTokens += count;
            }
            var loss = sum! / answerTokens;
            value = loss.item<float>();
            if (!double.IsFinite(value))
                Diverged(value, double.NaN, learningRate);
            if (replayBatches is not null)
            {
                var (input, target) = replayBatches.Next();
                var replayLoss = Model.Loss(input, target);
                var replayValue = replayLoss.item<float>();
                if (!double.IsFinite(replayValue))
                    Diverged(replayValue, double.NaN, learningRate);
                TextHistory.Train.Add(new LossPoint(Step + 1, replayValue));
                ReplayTokens += input.numel();
                tokens += input.numel();
                loss = loss + Settings.ReplayWeight * replayLoss;
            }
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

    /// <summary>The next batch's conversations, one list per source: each source's share, from a fresh shuffled pass over it whenever the last one runs out.</summary>
    private List<List<FormattedChat>> NextExamples()
    {
        var groups = new List<List<FormattedChat>>(sources.Count);
        for (var s = 0; s < sources.Count; s++)
        {
            var examples = sources[s].Data.Examples;
            var order = orders[s];
            var group = new List<FormattedChat>(perBatch[s]);
            for (var n = 0; n < perBatch[s]; n++)
            {
                if (order.Count == 0)
                {
                    var pass = Enumerable.Range(0, examples.Count).ToArray();
                    for (var i = pass.Length - 1; i > 0; i--)
                    {
                        var j = (int)random.NextLong(i + 1);
                        (pass[i], pass[j]) = (pass[j], pass[i]);
                    }
                    foreach (var index in pass)
                        order.Enqueue(index);
                }
                group.Add(examples[order.Dequeue()]);
                SourceDraws[s]++;
            }
            groups.Add(group);
        }
        return groups;
    }

    private void Diverged(double loss, double norm, double learningRate)
    {
        Optimizer.ZeroGrad();
        throw new TrainingDivergedException(Step, loss, norm, learningRate, null);
    }

    /// <summary>Measures the held-out answer loss (and, with a <see cref="ReplayText"/>, the held-out text loss) now, records it and raises <see cref="Validated"/>.</summary>
    public SftValidation Validate()
    {
        var answer = AnswerLoss(Model, heldOut);
        double? text = replay is not null && Settings.TextEvalWindows > 0 ? replay.HeldOutLoss(Model, Settings.TextEvalWindows) : null;
        var report = new SftValidation(Step, answer, text, text is { } t ? replay!.BitsPerCharacter(t) : null);
        History.Validation.Add(new LossPoint(Step, answer));
        if (text is { } loss)
            TextHistory.Validation.Add(new LossPoint(Step, loss));
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

    /// <summary>Frees the optimizer state and the replay windows' tensor (not the model, not the replay text).</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        replayBatches?.Dispose();
    }
}
