using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// How far a tuned policy has moved from its reference where it matters, on its own answers: sample responses to
/// held-out prompts from the policy, and sum the exact per-token KL(π ‖ π_ref) along each. The number the RLHF
/// objective pays for, in nats per response; 0 means the policy still answers like the reference.
/// </summary>
public static class PolicyDrift
{
    /// <summary>Mean exact KL per response over <paramref name="samplesPerPrompt"/> samples of every prompt.</summary>
    /// <inheritdoc cref="PerResponse"/>
    public static double MeanKl(GptModel policy, GptModel reference, IReadOnlyList<int[]> prompts, int stopId,
        int samplesPerPrompt = 2, int maxNewTokens = 24, long seed = Course.DefaultSeed) =>
        PerResponse(policy, reference, prompts, stopId, samplesPerPrompt, maxNewTokens, seed).Average();

    /// <summary>The exact KL of each sampled response (prompt by prompt, <paramref name="samplesPerPrompt"/> each), for a mean with an interval.</summary>
    /// <param name="policy">The tuned model.</param>
    /// <param name="reference">The model it started from.</param>
    /// <param name="prompts">Prompt ids (ending where the answer starts).</param>
    /// <param name="stopId">The end token.</param>
    /// <param name="samplesPerPrompt">Responses per prompt.</param>
    /// <param name="maxNewTokens">Budget per response.</param>
    /// <param name="seed">Seed of the sampler.</param>
    /// <exception cref="ArgumentException">No prompts, or a prompt plus the budget longer than the context.</exception>
    public static double[] PerResponse(GptModel policy, GptModel reference, IReadOnlyList<int[]> prompts, int stopId,
        int samplesPerPrompt = 2, int maxNewTokens = 24, long seed = Course.DefaultSeed)
    {
        if (prompts.Count == 0)
            throw new ArgumentException("No prompts to measure the drift on: give at least one held-out prompt.", nameof(prompts));
        using var generator = new Generator(unchecked((ulong)seed));
        var samples = PolicySampler.SampleMany(policy, prompts, samplesPerPrompt, maxNewTokens, stopId, 1.0, generator);
        var rows = prompts.SelectMany((prompt, p) => samples[p].Select(s => (prompt, s.Tokens))).ToList();
        var result = new List<double>(rows.Count);
        foreach (var chunk in rows.Chunk(64))
        {
            using var batch = AnswerBatch.Create(chunk, policy.Config.ContextLength);
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var kl = DpoTrainer.WithEval(policy, () => DpoTrainer.WithEval(reference, () =>
                KlDivergence.Exact(AnswerLogProbs.Distributions(policy, batch), AnswerLogProbs.Distributions(reference, batch), batch.AnswerMask)));
            result.AddRange(kl.data<float>().Select(v => (double)v));
        }
        return result.ToArray();
    }
}
