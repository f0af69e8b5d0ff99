using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>How <see cref="OnPolicyPairs"/> samples and pairs.</summary>
/// <param name="SamplesPerPrompt">Answers drawn per prompt (at least 2: a pair needs two answers that disagree).</param>
/// <param name="Temperature">Sampling temperature; 1 = the model's own distribution, whose mistakes are the ones to fix.</param>
/// <param name="MaxNewTokens">Budget per answer; an answer cut off there is kept, marked unfinished (the judge decides what that is worth).</param>
/// <param name="MaxPairsPerPrompt">At most this many pairs per prompt, each answer in at most one of them.</param>
/// <param name="Seed">Seed of the sampler and of which answers are paired.</param>
public sealed record OnPolicySettings(int SamplesPerPrompt = 8, double Temperature = 1.0, int MaxNewTokens = 20, int MaxPairsPerPrompt = 2,
    long Seed = Course.DefaultSeed);

/// <summary>Two of the model's own answers to one prompt, the chosen one judged strictly better.</summary>
/// <param name="PromptIndex">Which prompt of the list given to <see cref="OnPolicyPairs.Build"/>.</param>
/// <param name="Prompt">The prompt's ids.</param>
/// <param name="Chosen">The better-judged answer, as sampled.</param>
/// <param name="Rejected">The worse-judged answer, as sampled.</param>
/// <param name="ChosenScore">The judge's score of <paramref name="Chosen"/>.</param>
/// <param name="RejectedScore">The judge's score of <paramref name="Rejected"/> (always lower).</param>
public sealed record OnPolicyPair(int PromptIndex, int[] Prompt, SampledResponse Chosen, SampledResponse Rejected, double ChosenScore, double RejectedScore)
{
    /// <summary>The pair as ids for the reward model and DPO: the sampled tokens exactly, end token included when the answer finished.</summary>
    public PreferenceIds Ids => new(Prompt, Chosen.Tokens, Rejected.Tokens);
}

/// <summary>What sampling found: the pairs, and every prompt's scores (most prompts teach nothing: all answers agree).</summary>
/// <param name="Pairs">The pairs, in prompt order.</param>
/// <param name="Scores">For each prompt, the judge's score of each of its samples.</param>
public sealed record OnPolicyPairSet(IReadOnlyList<OnPolicyPair> Pairs, IReadOnlyList<double[]> Scores)
{
    /// <summary>Prompts sampled.</summary>
    public int Prompts => Scores.Count;

    /// <summary>Mean score over every sample: with a 1/0 judge, the share of the model's samples that are good.</summary>
    public double MeanScore => Scores.SelectMany(s => s).Average();

    /// <summary>Prompts whose samples got different scores: only these can give a pair.</summary>
    public int PromptsWithDisagreement => Scores.Count(s => s.Distinct().Count() > 1);
}

/// <summary>
/// On-policy preference pairs: the model answers each prompt several times, a judge scores every answer, and an
/// answer is paired with a worse-scored one to the same prompt. The pairs sit exactly where the model's own answers
/// disagree, so they teach what the model gets wrong sometimes, not what it already does every time (pairs written
/// by templates mostly do the latter), and the rejected answers are mistakes this model actually makes.
/// </summary>
/// <remarks>
/// The judge is any <see cref="ResponseReward"/>: a checker of a property (here <see cref="PropertyJudge"/>), a reward
/// model, or a person. Answers with equal scores are never paired (no preference to learn), identical answers count
/// once, and every answer appears in at most one pair, so one prompt's duplicates cannot dominate. The pairs are the
/// model's samples token for token, not a re-encoding of their text, so DPO raises and lowers exactly what it sampled.
/// </remarks>
public static class OnPolicyPairs
{
    private const int ChunkPrompts = 128;

    /// <summary>Samples <see cref="OnPolicySettings.SamplesPerPrompt"/> answers per prompt from <paramref name="model"/>, scores them and pairs them.</summary>
    /// <param name="model">The model whose mistakes the pairs should target (the SFT model).</param>
    /// <param name="prompts">Prompt ids (each ending where the answer starts).</param>
    /// <param name="judge">Scores a prompt's answers; higher is better.</param>
    /// <param name="stopId">The end token.</param>
    /// <param name="settings">k, temperature, budget, pairs per prompt, seed.</param>
    /// <param name="onPrompt">Called now and then with the number of prompts done (for a progress line).</param>
    /// <exception cref="ArgumentException">No prompts, bad settings, or a judge that returns the wrong count or a non-finite score.</exception>
    public static OnPolicyPairSet Build(GptModel model, IReadOnlyList<int[]> prompts, ResponseReward judge, int stopId, OnPolicySettings settings,
        Action<int>? onPrompt = null)
    {
        Check(prompts, settings);
        using var generator = new Generator(unchecked((ulong)settings.Seed));
        var random = new SeededRandom(settings.Seed ^ 0x5041_4952); // pairing choices, a stream apart from the sampler's
        var pairs = new List<OnPolicyPair>();
        var scores = new List<double[]>(prompts.Count);
        var done = 0;
        // Prompts of one length are sampled together (much faster); chunks keep the progress line moving.
        foreach (var chunk in Enumerable.Range(0, prompts.Count).Chunk(ChunkPrompts))
        {
            var sampled = PolicySampler.SampleMany(model, chunk.Select(p => prompts[p]).ToList(), settings.SamplesPerPrompt, settings.MaxNewTokens, stopId,
                settings.Temperature, generator);
            for (var c = 0; c < chunk.Length; c++)
            {
                var (p, samples) = (chunk[c], sampled[c]);
                var judged = judge(prompts[p], samples);
                if (judged is null || judged.Length != samples.Count)
                    throw new ArgumentException($"The judge returned {judged?.Length ?? 0} scores for {samples.Count} answers to prompt #{p}: return one per answer, in order.", nameof(judge));
                foreach (var score in judged)
                    if (!double.IsFinite(score))
                        throw new ArgumentException($"The judge returned {score} for an answer to prompt #{p}: scores must be finite numbers.", nameof(judge));
                scores.Add(judged);
                foreach (var (chosen, rejected) in Match(samples.Select(s => s.Tokens).ToList(), judged, settings.MaxPairsPerPrompt, random))
                    pairs.Add(new OnPolicyPair(p, prompts[p], samples[chosen], samples[rejected], judged[chosen], judged[rejected]));
            }
            done += chunk.Length;
            onPrompt?.Invoke(done);
        }
        return new OnPolicyPairSet(pairs, scores);
    }

    /// <summary>
    /// Which answers to pair: identical answers count once; the distinct ones are shuffled (seeded) and ranked by
    /// score; then the best is paired with the worst, the second best with the second worst, and so on, while the
    /// upper one scores strictly higher and fewer than <paramref name="maxPairs"/> pairs are made.
    /// </summary>
    /// <param name="answers">The answers' tokens.</param>
    /// <param name="scores">One score per answer.</param>
    /// <param name="maxPairs">Most pairs to return.</param>
    /// <param name="random">Breaks ties between equally scored answers.</param>
    /// <returns>(chosen, rejected) indices into <paramref name="answers"/>; each index at most once.</returns>
    /// <exception cref="ArgumentException">The counts differ, or <paramref name="maxPairs"/> is below 1.</exception>
    public static IReadOnlyList<(int Chosen, int Rejected)> Match(IReadOnlyList<int[]> answers, IReadOnlyList<double> scores, int maxPairs, SeededRandom random)
    {
        if (answers.Count != scores.Count)
            throw new ArgumentException($"{answers.Count} answers but {scores.Count} scores: give one score per answer.", nameof(scores));
        if (maxPairs < 1)
            throw new ArgumentException($"maxPairs = {maxPairs}: ask for at least one pair per prompt.", nameof(maxPairs));
        var seen = new HashSet<string>();
        var distinct = Enumerable.Range(0, answers.Count).Where(i => seen.Add(string.Join(',', answers[i]))).ToList();
        for (var i = distinct.Count - 1; i > 0; i--)
        {
            var j = (int)random.NextLong(i + 1);
            (distinct[i], distinct[j]) = (distinct[j], distinct[i]);
        }
        var ranked = distinct.OrderByDescending(i => scores[i]).ToList(); // stable: the shuffle decides among equals
        var result = new List<(int, int)>();
        for (int top = 0, bottom = ranked.Count - 1; top < bottom && result.Count < maxPairs; top++, bottom--)
        {
            if (!(scores[ranked[top]] > scores[ranked[bottom]]))
                break;
            result.Add((ranked[top], ranked[bottom]));
        }
        return result;
    }

    private static void Check(IReadOnlyList<int[]> prompts, OnPolicySettings settings)
    {
        if (prompts.Count == 0)
            throw new ArgumentException("No prompts: on-policy pairs are the model's own answers to prompts; give at least one.", nameof(prompts));
        if (settings.SamplesPerPrompt < 2)
            throw new ArgumentException($"SamplesPerPrompt = {settings.SamplesPerPrompt}: a pair needs two answers to the same prompt that the judge scores differently; sample at least 2 (8 is a good start).", nameof(settings));
        if (settings.MaxPairsPerPrompt < 1)
            throw new ArgumentException($"MaxPairsPerPrompt = {settings.MaxPairsPerPrompt}: allow at least one pair per prompt.", nameof(settings));
        if (!(settings.Temperature > 0))
            throw new ArgumentException($"Temperature = {settings.Temperature}: on-policy pairs need sampling above 0; greedy answers to one prompt are all the same and never disagree.", nameof(settings));
    }
}
