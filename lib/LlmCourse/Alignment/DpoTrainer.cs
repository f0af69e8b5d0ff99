using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>How a DPO run trains.</summary>
/// <param name="Beta">DPO's β (see <see cref="DpoLoss"/>).</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Pairs per step.</param>
/// <param name="LearningRate">Peak learning rate (AdamW, no weight decay) after a linear warmup, then cosine to a tenth.</param>
/// <param name="WarmupSteps">Warmup steps.</param>
/// <param name="Seed">Seed of the batch order.</param>
/// <param name="ChosenNllWeight">
/// Weight of an extra loss term: the chosen answers' mean negative log-likelihood per token (the SFT loss on the
/// winners), as in RPO (Pang et al., 2024). DPO alone only needs the <i>gap</i> between chosen and rejected to grow, and
/// on pairs that differ in a token or two it often gets there by lowering both, the chosen answer included, so
/// probability leaks to answers neither side contained. The term holds the winners up. 0 = plain DPO.
/// </param>
/// <param name="PreferenceWeight">
/// Weight of the DPO loss itself (1). 0 with a positive <paramref name="ChosenNllWeight"/> leaves only the NLL of the
/// chosen answers: plain fine-tuning on the model's own good answers (rejection-sampling fine-tuning), the control that
/// says how much of a DPO + NLL result the preference term earns.
/// </param>
public sealed record DpoSettings(double Beta = 0.1, int Steps = 100, int BatchSize = 16, double LearningRate = 1e-4, int WarmupSteps = 10, long Seed = Course.DefaultSeed,
    double ChosenNllWeight = 0, double PreferenceWeight = 1);

/// <summary>One DPO step.</summary>
/// <param name="Step">The step, from 0.</param>
/// <param name="Loss">The DPO loss (ln 2 at the start, when policy = reference).</param>
/// <param name="Margin">Mean implicit reward margin, chosen − rejected.</param>
/// <param name="Accuracy">Share of the batch whose implicit reward prefers the chosen answer.</param>
/// <param name="ChosenReward">Mean implicit reward of the chosen answers: β·(log π − log π_ref).</param>
/// <param name="RejectedReward">Mean implicit reward of the rejected answers.</param>
/// <param name="ChosenNll">The chosen answers' mean negative log-likelihood per token (nats), whether or not it is trained on.</param>
public sealed record DpoStep(int Step, double Loss, double Margin, double Accuracy, double ChosenReward, double RejectedReward, double ChosenNll);

/// <summary>Trains a policy with <see cref="DpoLoss"/> against a frozen reference.</summary>
public static class DpoTrainer
{
    /// <summary>Trains <paramref name="policy"/> in place; <paramref name="reference"/> is only read (its log-probs are computed once, up front).</summary>
    /// <param name="policy">The model to train, usually a copy of the SFT model.</param>
    /// <param name="reference">The frozen reference, usually the SFT model itself.</param>
    /// <param name="pairs">Training pairs.</param>
    /// <param name="settings">β, steps, batch, learning rate.</param>
    /// <param name="onStep">Called after every step.</param>
    /// <exception cref="ArgumentException">Same object as policy and reference, no pairs, an invalid or too long pair, or bad settings.</exception>
    public static IReadOnlyList<DpoStep> Train(GptModel policy, GptModel reference, IReadOnlyList<PreferenceIds> pairs, DpoSettings settings, Action<DpoStep>? onStep = null)
    {
        if (ReferenceEquals(policy, reference))
            throw new ArgumentException("The policy and the reference are the same model object: training would move the reference too and the loss would stay ln 2. Load a second copy for the policy.", nameof(reference));
        if (settings.Steps < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"Steps ({settings.Steps}) and BatchSize ({settings.BatchSize}) must be at least 1.", nameof(settings));
        RewardModelTrainer.Check(pairs, nameof(pairs), policy.Config.ContextLength);
        _ = DpoLoss.Compute(0, 0, 0, 0, settings.Beta); // fails fast on a bad β
        if (!double.IsFinite(settings.ChosenNllWeight) || settings.ChosenNllWeight < 0)
            throw new ArgumentException($"ChosenNllWeight = {settings.ChosenNllWeight}: give 0 (plain DPO) or a positive weight (about 1, as in RPO).", nameof(settings));
        if (!double.IsFinite(settings.PreferenceWeight) || settings.PreferenceWeight < 0 || settings.PreferenceWeight + settings.ChosenNllWeight == 0)
            throw new ArgumentException($"PreferenceWeight = {settings.PreferenceWeight} with ChosenNllWeight = {settings.ChosenNllWeight}: the weights must be non-negative and not both 0 " +
                "(1 and 0 is plain DPO; 0 and 1 is fine-tuning on the chosen answers alone).", nameof(settings));

        // The reference never changes: score every pair once instead of every step.
        var referenceChosen = new double[pairs.Count];
        var referenceRejected = new double[pairs.Count];
        for (var start = 0; start < pairs.Count; start += 32)
        {
            var chunk = pairs.Skip(start).Take(32).ToList();
            using var batch = AnswerBatch.Create(Rows(chunk), reference.Config.ContextLength);
            var sums = WithEval(reference, () => AnswerLogProbs.SumNoGrad(reference, batch));
            for (var i = 0; i < chunk.Count; i++)
            {
                referenceChosen[start + i] = sums[i];
                referenceRejected[start + i] = sums[chunk.Count + i];
            }
        }

        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.LearningRate / 10, Math.Min(settings.WarmupSteps, settings.Steps - 1), settings.Steps).Validate();
        using var optimizer = new AdamWOptimizer(policy.named_parameters().Select(p => (p.name, p.parameter)), new AdamWSettings(WeightDecay: 0));
        var random = new SeededRandom(settings.Seed);
        var history = new List<DpoStep>(settings.Steps);
        var wasTraining = policy.training;
        policy.train();
        try
        {
            for (var step = 0; step < settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var picks = Enumerable.Range(0, settings.BatchSize).Select(_ => (int)random.NextLong(pairs.Count)).ToArray();
                var chunk = picks.Select(i => pairs[i]).ToList();
                using var batch = AnswerBatch.Create(Rows(chunk), policy.Config.ContextLength);
                var sums = AnswerLogProbs.Sum(policy, batch);
                using var result = DpoLoss.Compute(sums.narrow(0, 0, chunk.Count), sums.narrow(0, chunk.Count, chunk.Count),
                    tensor(picks.Select(i => (float)referenceChosen[i]).ToArray()), tensor(picks.Select(i => (float)referenceRejected[i]).ToArray()), settings.Beta);
                // Sum over each chosen answer's tokens / its token count = mean log-likelihood per token, per row.
                var chosenNll = -(sums.narrow(0, 0, chunk.Count) / batch.AnswerMask.narrow(0, 0, chunk.Count).sum(-1).clamp_min(1)).mean();
                var total = settings.PreferenceWeight * result.Loss + settings.ChosenNllWeight * chosenNll;
                total.backward();
                nn.utils.clip_grad_norm_(policy.parameters(), 1.0);
                var loss = result.Loss.ToDouble();
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException(step, loss, double.NaN, schedule.At(step), null);
                optimizer.Step(schedule.At(step));
                optimizer.ZeroGrad();
                var record = new DpoStep(step, loss, result.Margin, result.Accuracy, result.ChosenRewards.mean().ToDouble(), result.RejectedRewards.mean().ToDouble(), chosenNll.ToDouble());
                history.Add(record);
                onStep?.Invoke(record);
            }
        }
        finally
        {
            policy.train(wasTraining);
        }
        return history;
    }

    /// <summary>Rows for one forward pass: every chosen answer, then every rejected one.</summary>
    private static List<(int[] Prompt, int[] Answer)> Rows(IReadOnlyList<PreferenceIds> pairs) =>
        pairs.Select(p => (p.Prompt, p.Chosen)).Concat(pairs.Select(p => (p.Prompt, p.Rejected))).ToList();

    internal static T WithEval<T>(GptModel model, Func<T> action)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            return action();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
