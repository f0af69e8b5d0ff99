using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>Scores k responses to one prompt (a reward model, or a rule): one reward per response.</summary>
/// <param name="prompt">The prompt's ids.</param>
/// <param name="responses">The sampled responses (ending with the stop token when finished).</param>
public delegate double[] ResponseReward(int[] prompt, IReadOnlyList<SampledResponse> responses);

/// <summary>How an RLOO run trains.</summary>
/// <param name="Steps">Policy updates.</param>
/// <param name="PromptsPerStep">Prompts per update.</param>
/// <param name="SamplesPerPrompt">k, responses per prompt (at least 2: each one's baseline is the others' mean).</param>
/// <param name="KlCoefficient">β of the per-token KL penalty to the reference, subtracted from the reward. 0 switches the leash off.</param>
/// <param name="MaxNewTokens">Response budget in tokens.</param>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="LearningRate">Learning rate (AdamW, no weight decay, constant after a short warmup).</param>
/// <param name="UnfinishedReward">Reward-hacking guard: a response cut off at the budget (no end token) gets this reward
/// instead of the reward model's score, which was never trained on such text and cannot be trusted there. Null = off.</param>
/// <param name="KlBudget">Reward-hacking guard: stop the run when the mean KL per response exceeds this (nats). Null = off.</param>
/// <param name="Seed">Seed of the prompt order and of the sampler.</param>
public sealed record RlooSettings(int Steps = 60, int PromptsPerStep = 4, int SamplesPerPrompt = 4, double KlCoefficient = 0.05, int MaxNewTokens = 24,
    double Temperature = 1.0, double LearningRate = 1e-5, double? UnfinishedReward = null, double? KlBudget = null, long Seed = Course.DefaultSeed);

/// <summary>One RLOO update.</summary>
/// <param name="Step">The step, from 0.</param>
/// <param name="Reward">Mean reward of the step's samples (before the KL penalty, after the unfinished guard).</param>
/// <param name="Kl">Mean exact KL(π ‖ π_ref) per response, summed over its tokens (nats).</param>
/// <param name="Length">Mean response length in tokens (without the end token).</param>
/// <param name="Unfinished">Share of responses cut off at the budget.</param>
/// <param name="Loss">The policy-gradient loss (its value means little; its gradient is what counts).</param>
public sealed record RlooStep(int Step, double Reward, double Kl, double Length, double Unfinished, double Loss);

/// <summary>What an RLOO run logged, and why it stopped early if it did.</summary>
/// <param name="Steps">One record per update.</param>
/// <param name="StoppedBy">Null when every step ran; otherwise which guard stopped the run and when.</param>
public sealed record RlooHistory(IReadOnlyList<RlooStep> Steps, string? StoppedBy);

/// <summary>
/// RLHF's policy step with RLOO, REINFORCE Leave-One-Out (Kool et al. 2019; Ahmadian et al. 2024): sample k responses
/// per prompt from the policy, score each, subtract a per-token KL penalty to the frozen reference, and push up the
/// log-probability of each response in proportion to its advantage, its reward minus the mean reward of the other
/// k − 1 responses to the same prompt.
/// </summary>
/// <remarks>
/// <para>Why RLOO and not PPO: PPO needs a value network (a second model the size of the policy, trained alongside
/// it), importance ratios with clipping, several epochs per batch and generalised advantage estimation: five or so
/// hyperparameters that interact and a critic that is poor early on. RLOO's baseline is free (the other samples of the
/// same prompt), unbiased, and leaves two knobs: k and the KL coefficient. For short responses with one reward at the
/// end, which is our case, it matches PPO in the literature and is stable at this scale.</para>
/// <para>Reward hacking: the policy maximises what the reward model says, not what we meant. Two guards make it
/// visible: the KL penalty keeps the policy near the reference (β = 0 removes the leash), and the length check
/// replaces the reward of cut-off responses, which the reward model never saw in training. The log's KL and length
/// curves show a hack as it happens: reward up, KL and length running away.</para>
/// </remarks>
public static class RlooTrainer
{
    /// <summary>Trains <paramref name="policy"/> in place against <paramref name="reward"/>, with <paramref name="reference"/> frozen.</summary>
    /// <param name="policy">The model to train (a copy of the SFT model).</param>
    /// <param name="reference">The frozen reference (the SFT model).</param>
    /// <param name="prompts">Prompt ids to sample from (each ending where the answer starts).</param>
    /// <param name="reward">Scores the responses.</param>
    /// <param name="stopId">The end token that finishes a response.</param>
    /// <param name="settings">k, β, steps, guards.</param>
    /// <param name="onStep">Called after every update.</param>
    /// <exception cref="ArgumentException">Same object as policy and reference, no prompts, k below 2, bad settings, or a reward function that returns the wrong count.</exception>
    public static RlooHistory Train(GptModel policy, GptModel reference, IReadOnlyList<int[]> prompts, ResponseReward reward, int stopId,
        RlooSettings settings, Action<RlooStep>? onStep = null)
    {
        Check(policy, reference, prompts, settings);
        using var optimizer = new AdamWOptimizer(policy.named_parameters().Select(p => (p.name, p.parameter)), new AdamWSettings(WeightDecay: 0));
        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.LearningRate, Math.Min(5, settings.Steps - 1), settings.Steps).Validate();
        var random = new SeededRandom(settings.Seed);
        using var generator = new Generator(unchecked((ulong)settings.Seed));
        var history = new List<RlooStep>(settings.Steps);
        var k = settings.SamplesPerPrompt;
        string? stoppedBy = null;
        for (var step = 0; step < settings.Steps && stoppedBy is null; step++)
        {
            using var scope = NewDisposeScope();
            var rows = new List<(int[] Prompt, int[] Answer)>();
            var rewards = new List<double>();
            var responses = new List<SampledResponse>();
            for (var p = 0; p < settings.PromptsPerStep; p++)
            {
                var prompt = prompts[(int)random.NextLong(prompts.Count)];
                var samples = PolicySampler.Sample(policy, prompt, k, settings.MaxNewTokens, stopId, settings.Temperature, generator);
                var scores = reward(prompt, samples);
                if (scores is null || scores.Length != k)
                    throw new ArgumentException($"The reward function returned {scores?.Length ?? 0} rewards for {k} responses: return one per response, in order.", nameof(reward));
                for (var i = 0; i < k; i++)
                {
                    var guarded = !samples[i].Finished && settings.UnfinishedReward is { } low ? low : scores[i];
                    if (!double.IsFinite(guarded))
                        throw new ArgumentException($"The reward function returned {scores[i]} for a response: rewards must be finite numbers.", nameof(reward));
                    rewards.Add(guarded);
                    rows.Add((prompt, samples[i].Tokens));
                }
                responses.AddRange(samples);
            }

            using var batch = AnswerBatch.Create(rows, policy.Config.ContextLength);
            policy.train();
            var policyDistributions = AnswerLogProbs.Distributions(policy, batch);
            var policyTokens = AnswerLogProbs.PerToken(policyDistributions, batch);
            Tensor referenceDistributions;
            using (no_grad())
                referenceDistributions = DpoTrainer.WithEval(reference, () => AnswerLogProbs.Distributions(reference, batch));
            var referenceTokens = AnswerLogProbs.PerToken(referenceDistributions, batch);
            var k1 = KlDivergence.SampledK1(policyTokens.detach(), referenceTokens, batch.AnswerMask).data<float>().ToArray();
            var exactKl = KlDivergence.Exact(policyDistributions.detach(), referenceDistributions, batch.AnswerMask).data<float>().ToArray();

            var advantages = Advantages(rewards.Select((r, i) => r - settings.KlCoefficient * k1[i]).ToArray(), k);
            var loss = -(tensor(advantages.Select(a => (float)a).ToArray()) * policyTokens.sum(-1)).mean();
            loss.backward();
            nn.utils.clip_grad_norm_(policy.parameters(), 1.0);
            var lossValue = loss.ToDouble();
            if (!double.IsFinite(lossValue))
                throw new TrainingDivergedException(step, lossValue, double.NaN, schedule.At(step), null);
            optimizer.Step(schedule.At(step));
            optimizer.ZeroGrad();

            var record = new RlooStep(step, rewards.Average(), exactKl.Average(f => (double)f), responses.Average(r => (double)r.ContentLength),
                responses.Count(r => !r.Finished) / (double)responses.Count, lossValue);
            history.Add(record);
            onStep?.Invoke(record);
            if (settings.KlBudget is { } budget && record.Kl > budget)
                stoppedBy = FormattableString.Invariant($"KL budget: mean KL {record.Kl:F2} nats > {budget:F2} at step {step}; the policy is drifting from the reference faster than the reward justifies.");
        }
        policy.eval();
        return new RlooHistory(history, stoppedBy);
    }

    /// <summary>
    /// Leave-one-out advantages: rewards come in groups of k (one group per prompt); each one's baseline is the mean
    /// of the other k − 1 in its group. Equal rewards give zero advantages: nothing to learn from that prompt.
    /// </summary>
    /// <exception cref="ArgumentException">k below 2, or a count that is not a multiple of k.</exception>
    public static double[] Advantages(IReadOnlyList<double> rewards, int k)
    {
        if (k < 2 || rewards.Count % k != 0)
            throw new ArgumentException($"Leave-one-out needs groups of k >= 2 rewards; got k = {k} and {rewards.Count} rewards.", nameof(k));
        var result = new double[rewards.Count];
        for (var g = 0; g < rewards.Count; g += k)
        {
            var sum = 0.0;
            for (var i = g; i < g + k; i++)
                sum += rewards[i];
            for (var i = g; i < g + k; i++)
                result[i] = rewards[i] - (sum - rewards[i]) / (k - 1);
        }
        return result;
    }

    private static void Check(GptModel policy, GptModel reference, IReadOnlyList<int[]> prompts, RlooSettings settings)
    {
        if (ReferenceEquals(policy, reference))
            throw new ArgumentException("The policy and the reference are the same model object: the KL would always be 0 and nothing would hold the policy back. Load a second copy for the policy.", nameof(reference));
        if (prompts.Count == 0)
            throw new ArgumentException("No prompts: RLOO samples responses to prompts; give at least one.", nameof(prompts));
        if (settings.SamplesPerPrompt < 2)
            throw new ArgumentException($"SamplesPerPrompt = {settings.SamplesPerPrompt}: RLOO's baseline is the mean reward of the other samples of the same prompt, so it needs k >= 2 (4 is usual).", nameof(settings));
        if (settings.Steps < 1 || settings.PromptsPerStep < 1)
            throw new ArgumentException($"Steps ({settings.Steps}) and PromptsPerStep ({settings.PromptsPerStep}) must be at least 1.", nameof(settings));
        if (!(settings.KlCoefficient >= 0))
            throw new ArgumentException($"KlCoefficient = {settings.KlCoefficient}: use 0 (no penalty) or more; 0.05 is a usual start.", nameof(settings));
    }
}
