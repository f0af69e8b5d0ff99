using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>How a reward model is trained.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="LearningRate">Peak learning rate (AdamW, no weight decay) after a linear warmup, then cosine to a tenth.</param>
/// <param name="WarmupSteps">Warmup steps.</param>
/// <param name="EvalEvery">Measure held-out accuracy every this many steps (and at the end); 0 = only at the end.</param>
/// <param name="Seed">Seed of the batch order.</param>
public sealed record RewardModelSettings(int Steps = 120, int BatchSize = 16, double LearningRate = 3e-4, int WarmupSteps = 10,
    int EvalEvery = 40, long Seed = Course.DefaultSeed);

/// <summary>One training step: Bradley–Terry loss and the share of the batch ranked right.</summary>
public sealed record RewardModelStep(int Step, double Loss, double Accuracy);

/// <summary>Pairwise accuracy on a set of pairs: how often the chosen answer scores higher.</summary>
/// <param name="Step">The training step it was measured after (−1 = before training).</param>
/// <param name="Accuracy">Share of pairs with chosen &gt; rejected.</param>
/// <param name="MeanMargin">Mean r_chosen − r_rejected.</param>
/// <param name="Pairs">Pairs measured.</param>
public sealed record PairwiseAccuracy(int Step, double Accuracy, double MeanMargin, int Pairs);

/// <summary>What a reward-model run logged.</summary>
public sealed record RewardModelHistory(IReadOnlyList<RewardModelStep> Train, IReadOnlyList<PairwiseAccuracy> HeldOut);

/// <summary>Trains a <see cref="RewardModel"/> on preference pairs with the Bradley–Terry loss.</summary>
public static class RewardModelTrainer
{
    /// <summary>Trains in place; returns the per-step loss and accuracy and the held-out accuracy over time.</summary>
    /// <param name="model">The reward model (its backbone is trained too).</param>
    /// <param name="train">Training pairs.</param>
    /// <param name="heldOut">Pairs never trained on, for the accuracy that matters.</param>
    /// <param name="settings">Steps, batch, learning rate.</param>
    /// <param name="onStep">Called after every step.</param>
    /// <exception cref="ArgumentException">No pairs, an invalid pair (empty, chosen == rejected) or one longer than the context, or bad settings.</exception>
    public static RewardModelHistory Train(RewardModel model, IReadOnlyList<PreferenceIds> train, IReadOnlyList<PreferenceIds> heldOut,
        RewardModelSettings settings, Action<RewardModelStep>? onStep = null)
    {
        if (settings.Steps < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"Steps ({settings.Steps}) and BatchSize ({settings.BatchSize}) must be at least 1.", nameof(settings));
        Check(train, nameof(train), model.Config.ContextLength);
        Check(heldOut, nameof(heldOut), model.Config.ContextLength);
        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.LearningRate / 10, Math.Min(settings.WarmupSteps, settings.Steps - 1), settings.Steps).Validate();
        using var optimizer = new AdamWOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), new AdamWSettings(WeightDecay: 0));
        var random = new SeededRandom(settings.Seed);
        var steps = new List<RewardModelStep>(settings.Steps);
        var evals = new List<PairwiseAccuracy> { Evaluate(model, heldOut, -1) };
        var wasTraining = model.training;
        model.train();
        try
        {
            for (var step = 0; step < settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var pairs = Enumerable.Range(0, settings.BatchSize).Select(_ => train[(int)random.NextLong(train.Count)]).ToList();
                var (chosen, rejected) = ScorePairs(model, pairs);
                var loss = BradleyTerry.Loss(chosen, rejected);
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                var value = loss.ToDouble();
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException(step, value, double.NaN, schedule.At(step), null);
                optimizer.Step(schedule.At(step));
                optimizer.ZeroGrad();
                var record = new RewardModelStep(step, value, BradleyTerry.Accuracy(chosen.detach(), rejected.detach()));
                steps.Add(record);
                onStep?.Invoke(record);
                if (step == settings.Steps - 1 || (settings.EvalEvery > 0 && (step + 1) % settings.EvalEvery == 0))
                {
                    evals.Add(Evaluate(model, heldOut, step));
                    model.train();
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new RewardModelHistory(steps, evals);
    }

    /// <summary>Pairwise accuracy and mean margin of the reward model on <paramref name="pairs"/>.</summary>
    /// <param name="model">The reward model.</param>
    /// <param name="pairs">The pairs (validated).</param>
    /// <param name="step">Recorded in the result.</param>
    /// <exception cref="ArgumentException">No pairs, or an invalid one.</exception>
    public static PairwiseAccuracy Evaluate(RewardModel model, IReadOnlyList<PreferenceIds> pairs, int step = -1)
    {
        Check(pairs, nameof(pairs), model.Config.ContextLength);
        var chosen = model.Score(pairs.Select(p => (p.Prompt, p.Chosen)).ToList());
        var rejected = model.Score(pairs.Select(p => (p.Prompt, p.Rejected)).ToList());
        var margins = chosen.Zip(rejected, (c, r) => c - r).ToArray();
        return new PairwiseAccuracy(step, margins.Count(m => m > 0) / (double)margins.Length, margins.Average(), margins.Length);
    }

    /// <summary>Scores the chosen and rejected answers of <paramref name="pairs"/> in one forward pass: ([pairs], [pairs]).</summary>
    public static (Tensor Chosen, Tensor Rejected) ScorePairs(RewardModel model, IReadOnlyList<PreferenceIds> pairs)
    {
        using var scope = NewDisposeScope();
        var rows = pairs.Select(p => (p.Prompt, p.Chosen)).Concat(pairs.Select(p => (p.Prompt, p.Rejected))).ToList();
        using var batch = AnswerBatch.Create(rows, model.Config.ContextLength);
        var scores = model.Score(batch);
        return (scope.MoveToOuter(scores.narrow(0, 0, pairs.Count)), scope.MoveToOuter(scores.narrow(0, pairs.Count, pairs.Count)));
    }

    internal static void Check(IReadOnlyList<PreferenceIds> pairs, string name, int contextLength)
    {
        if (pairs.Count == 0)
            throw new ArgumentException($"The pair set '{name}' is empty: give at least one preference pair.", name);
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i].Validate(i);
            var longest = pair.Prompt.Length + Math.Max(pair.Chosen.Length, pair.Rejected.Length);
            if (longest > contextLength)
                throw new ArgumentException($"Preference pair #{i} of '{name}' is {longest} tokens with its longer answer, more than the context of {contextLength}. " +
                                            "Skip such pairs when building the set (and count them).", name);
        }
    }
}
