using System.Globalization;
using System.Text;
using LlmCourse.Evaluation;
using LlmCourse.Model;

namespace LlmCourse.Alignment;

/// <summary>How a <see cref="PreferenceScorecard"/> measures.</summary>
/// <param name="AnswerTokens">Budget of a greedy answer (as in 6b's evaluation).</param>
/// <param name="SamplesPerPrompt">Sampled answers per prompt for the "when sampling" columns and the KL.</param>
/// <param name="SampleTokens">Budget of a sampled answer.</param>
/// <param name="Seed">Seed of the sampled answers (the same for every model, so they face the same draws).</param>
public sealed record ScorecardSettings(int AnswerTokens = SftRecipe.MaxAnswerTokens, int SamplesPerPrompt = 4, int SampleTokens = 20, long Seed = Course.DefaultSeed);

/// <summary>One model measured against the reference.</summary>
/// <param name="Name">The model's name in the table.</param>
/// <param name="Accuracy">Greedy held-out task accuracy (each item's own check), with its Wilson interval.</param>
/// <param name="ByProperty">Greedy answers vs the reference's, judged by the property (good beats not good; both or neither tie).</param>
/// <param name="ByRewardModel">The same pairs judged by the reward model's score; null without a reward model.</param>
/// <param name="SampledHeldOut">Share of good answers per held-out prompt when sampling, minus the reference's (paired; 95 % interval).</param>
/// <param name="PractisedAccuracy">Greedy accuracy on the prompts the tuning practised on; null when none were given.</param>
/// <param name="SampledPractised">Good answers when sampling on the practised prompts, minus the reference's; null when none were given.</param>
/// <param name="Kl">Exact KL from the reference per sampled held-out answer, nats (95 % interval).</param>
/// <param name="BitsPerCharacter">Held-out Austen, bits per character: pretraining's loss; a rise is forgetting.</param>
/// <param name="Time">Training time; null for the reference.</param>
public sealed record ScorecardRow(string Name, TaskEvalResult Accuracy, PreferenceResult ByProperty, PreferenceResult? ByRewardModel,
    MeanInterval SampledHeldOut, TaskEvalResult? PractisedAccuracy, MeanInterval? SampledPractised, MeanInterval Kl, double BitsPerCharacter, TimeSpan? Time);

/// <summary>
/// The comparison table of a preference-tuning run: every tuned model against the reference (the SFT model) on the
/// same held-out instructions, by the checkable property and by the reward model, with what it cost (KL, forgetting,
/// time). Every rate carries a 95 % interval, because on 143 prompts a few answers either way is noise.
/// </summary>
/// <remarks>
/// Greedy answers are what 6b scored; sampled answers (temperature 1) are what the RLHF objective is about: the
/// expected reward of the policy's own distribution. The two can disagree: sharpening a distribution raises its
/// sampled quality without changing a single greedy answer.
/// </remarks>
public sealed class PreferenceScorecard
{
    private readonly GptModel reference;
    private readonly ChatTemplate template;
    private readonly IReadOnlyList<InstructionItem> heldOut;
    private readonly PropertyJudge heldOutJudge;
    private readonly List<int[]> heldOutPrompts;
    private readonly IReadOnlyList<InstructionItem>? practised;
    private readonly PropertyJudge? practisedJudge;
    private readonly List<int[]>? practisedPrompts;
    private readonly RewardModel? rewardModel;
    private readonly string austen;
    private readonly ScorecardSettings settings;
    private readonly HashSet<int> stops;
    private Measured? referenceMeasured;

    /// <summary>A scorecard against <paramref name="reference"/>.</summary>
    /// <param name="reference">The model every other is compared with (the SFT model).</param>
    /// <param name="template">The chat template.</param>
    /// <param name="heldOut">Held-out instruction items (never trained on).</param>
    /// <param name="practised">Training items the tuning sampled from, for the in-distribution column; null to skip it.</param>
    /// <param name="rewardModel">The reward model for the second judge; null to skip it.</param>
    /// <param name="heldOutAusten">Held-out novel text for the forgetting column.</param>
    /// <param name="settings">Budgets, samples, seed.</param>
    /// <exception cref="ArgumentException">Fewer than two held-out items, two items with the same prompt, or no Austen text.</exception>
    public PreferenceScorecard(GptModel reference, ChatTemplate template, IReadOnlyList<InstructionItem> heldOut, IReadOnlyList<InstructionItem>? practised,
        RewardModel? rewardModel, string heldOutAusten, ScorecardSettings? settings = null)
    {
        if (heldOut.Count < 2)
            throw new ArgumentException($"The scorecard needs at least two held-out items (got {heldOut.Count}): rates over fewer mean nothing.", nameof(heldOut));
        if (string.IsNullOrEmpty(heldOutAusten))
            throw new ArgumentException("No held-out Austen text: the forgetting column needs some, e.g. Corpus.Austen.Validation[..20_000].", nameof(heldOutAusten));
        this.reference = reference;
        this.template = template;
        this.heldOut = heldOut;
        heldOutJudge = new PropertyJudge(template, heldOut);
        heldOutPrompts = heldOut.Select(i => template.PromptIds(i.User, i.System)).ToList();
        if (heldOutJudge.Prompts.Count != heldOut.Count)
            throw new ArgumentException($"{heldOut.Count - heldOutJudge.Prompts.Count} held-out items repeat another item's prompt: each prompt must be asked once. Drop the repeats.", nameof(heldOut));
        if (practised is { Count: > 1 })
        {
            this.practised = practised;
            practisedJudge = new PropertyJudge(template, practised);
            practisedPrompts = practised.Select(i => template.PromptIds(i.User, i.System)).ToList();
        }
        this.rewardModel = rewardModel;
        austen = heldOutAusten;
        this.settings = settings ?? new ScorecardSettings();
        stops = ModelAnswerers.DefaultOptions(template.Tokenizer).StopTokens.ToHashSet();
    }

    /// <summary>Measures <paramref name="model"/> (the reference itself gives the baseline row: all ties, zero differences).</summary>
    /// <param name="name">Its name in the table.</param>
    /// <param name="model">The model.</param>
    /// <param name="time">How long it trained; null for the reference.</param>
    public ScorecardRow Measure(string name, GptModel model, TimeSpan? time = null)
    {
        referenceMeasured ??= Answer(reference);
        var mine = ReferenceEquals(model, reference) ? referenceMeasured : Answer(model);
        var prompts = heldOut.Select(i => template.PromptText(i.User, i.System)).ToList();
        var pairs = prompts.Select((p, i) => new AnswerPair(p, mine.Texts[i], referenceMeasured.Texts[i])).ToList();
        var index = prompts.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        var byProperty = PreferenceEval.JudgePairs(name, "SFT", pairs, Judges.ByProperty((prompt, answer) => AnswerQuality.IsGood(heldOut[index[prompt]], answer)));
        PreferenceResult? byReward = null;
        if (rewardModel is not null)
        {
            var mineScores = rewardModel.Score(mine.Ids.Select((a, i) => (heldOutPrompts[i], a)).ToList());
            var referenceScores = rewardModel.Score(referenceMeasured.Ids.Select((a, i) => (heldOutPrompts[i], a)).ToList());
            var scoreOf = new Dictionary<(string, string), double>();
            for (var i = 0; i < prompts.Count; i++)
            {
                scoreOf[(prompts[i], mine.Texts[i])] = mineScores[i];
                scoreOf[(prompts[i], referenceMeasured.Texts[i])] = referenceScores[i];
            }
            byReward = PreferenceEval.JudgePairs(name, "SFT", pairs, Judges.ByScore((prompt, answer) => scoreOf[(prompt, answer)]));
        }
        var accuracy = Accuracy("held-out instructions", heldOut, mine.Texts);
        var sampledHeldOut = MeanInterval.Difference(mine.SampledHeldOut, referenceMeasured.SampledHeldOut);
        MeanInterval? sampledPractised = practised is null ? null : MeanInterval.Difference(mine.SampledPractised!, referenceMeasured.SampledPractised!);
        var practisedAccuracy = practised is null ? null : Accuracy("practised prompts", practised, mine.PractisedTexts!);
        var kl = MeanInterval.Of(PolicyDrift.PerResponse(model, reference, heldOutPrompts, template.EndId, settings.SamplesPerPrompt, settings.SampleTokens, settings.Seed));
        var bits = Perplexity.Measure(model, template.Tokenizer, austen).BitsPerCharacter;
        return new ScorecardRow(name, accuracy, byProperty, byReward, sampledHeldOut, practisedAccuracy, sampledPractised, kl, bits, time);
    }

    private TaskEvalResult Accuracy(string name, IReadOnlyList<InstructionItem> items, IReadOnlyList<string> answers)
    {
        var byPrompt = new Dictionary<string, string>();
        for (var i = 0; i < items.Count; i++)
            byPrompt.TryAdd(template.PromptText(items[i].User, items[i].System), answers[i]);
        return InstructionSet.Eval(name, items, template).Run((prompt, _) => byPrompt[prompt]);
    }

    /// <summary>
    /// The rows as two tables: what the models answer on held-out prompts (accuracy, wins–losses–ties against the
    /// reference by each judge, sampled quality), then what the tuning practised and what it cost (KL, forgetting, time).
    /// </summary>
    /// <param name="rows">The measured rows, the reference's first.</param>
    /// <param name="secondSet">What the second item set is, for its columns' headers (e.g. "practised prompts", "new counting prompts").</param>
    /// <exception cref="ArgumentException"><paramref name="secondSet"/> is empty.</exception>
    public static string Render(IEnumerable<ScorecardRow> rows, string secondSet = "practised prompts")
    {
        if (string.IsNullOrWhiteSpace(secondSet))
            throw new ArgumentException("secondSet is empty: name the second item set, e.g. \"practised prompts\".", nameof(secondSet));
        var list = rows.ToList();
        var heldOut = TextTable.Render(
            ["model", "held-out accuracy [95 %]", "vs SFT by property: W–L–T, wins of decided [95 %]", "vs SFT by reward model", "good when sampling: Δ vs SFT [95 %]"],
            list.Select(r => (IReadOnlyList<string>)
            [
                r.Name,
                Rate(r.Accuracy),
                Versus(r.ByProperty),
                r.ByRewardModel is null ? "—" : Versus(r.ByRewardModel),
                Signed(r.SampledHeldOut),
            ]), maxCellWidth: 60, rightAligned: new HashSet<int> { 1, 2, 3, 4 });
        var costs = TextTable.Render(
            ["model", $"{secondSet}: accuracy", $"{secondSet}: good when sampling, Δ", "KL from SFT (nats/answer) [95 %]", "Austen bits/char", "training time"],
            list.Select(r => (IReadOnlyList<string>)
            [
                r.Name,
                r.PractisedAccuracy is { } p ? Rate(p) : "—",
                r.SampledPractised is { } d ? Signed(d) : "—",
                r.Kl.ToString("F2"),
                r.BitsPerCharacter.ToString("F3", CultureInfo.InvariantCulture),
                r.Time is { } t ? FormattableString.Invariant($"{t.TotalSeconds:F0} s") : "(6b)",
            ]), maxCellWidth: 60, rightAligned: new HashSet<int> { 1, 2, 3, 4, 5 });
        return "Held-out instructions (never trained on):\n" + heldOut + $"\n{char.ToUpperInvariant(secondSet[0])}{secondSet[1..]} and costs:\n" + costs;
    }

    private static string Rate(TaskEvalResult r) => FormattableString.Invariant($"{r.Correct}/{r.Total} = {r.Accuracy:P1} {r.Interval}");

    /// <summary>"12–5–126, 71 % [47 %, 87 %]": wins, losses, ties, and the wins' share of the decided pairs with its interval.</summary>
    private static string Versus(PreferenceResult result)
    {
        var text = new StringBuilder(FormattableString.Invariant($"{result.WinsA}–{result.WinsB}–{result.Ties}"));
        if (result.DecisiveInterval is { } interval)
            text.Append(FormattableString.Invariant($", {result.DecisiveWinRate:P0} {interval}"));
        return text.ToString();
    }

    private static string Signed(MeanInterval d) =>
        FormattableString.Invariant($"{d.Mean * 100:+0.0;-0.0;0.0} pts [{d.Low * 100:+0.0;-0.0;0.0}, {d.High * 100:+0.0;-0.0;0.0}]");

    /// <summary>A model's greedy answers (text and ids) and its per-prompt sampled quality.</summary>
    private sealed record Measured(IReadOnlyList<string> Texts, IReadOnlyList<int[]> Ids, IReadOnlyList<double> SampledHeldOut,
        IReadOnlyList<string>? PractisedTexts, IReadOnlyList<double>? SampledPractised);

    private Measured Answer(GptModel model)
    {
        var (texts, ids) = Greedy(model, heldOutPrompts);
        var practisedTexts = practisedPrompts is null ? null : Greedy(model, practisedPrompts).Texts;
        return new Measured(texts, ids, Sampled(model, heldOutJudge, heldOutPrompts), practisedTexts,
            practisedJudge is null ? null : Sampled(model, practisedJudge, practisedPrompts!));
    }

    private (List<string> Texts, List<int[]> Ids) Greedy(GptModel model, List<int[]> prompts)
    {
        var greedy = PolicySampler.GreedyMany(model, prompts, settings.AnswerTokens, template.EndId);
        var ids = new List<int[]>(greedy.Count);
        var texts = new List<string>(greedy.Count);
        foreach (var response in greedy)
        {
            // Cut at the first stop token, as 6b's answerer does; the reward model reads the answer with its <|end|>.
            var content = response.Tokens.TakeWhile(t => !stops.Contains(t)).ToArray();
            texts.Add(template.Tokenizer.Decode(content));
            ids.Add(content.Length < response.Tokens.Length ? [.. content, template.EndId] : content.Length == 0 ? [template.EndId] : content);
        }
        return (texts, ids);
    }

    private double[] Sampled(GptModel model, PropertyJudge judge, List<int[]> prompts)
    {
        using var generator = new TorchSharp.torch.Generator(unchecked((ulong)settings.Seed));
        var samples = PolicySampler.SampleMany(model, prompts, settings.SamplesPerPrompt, settings.SampleTokens, template.EndId, 1.0, generator);
        return prompts.Select((p, i) => judge.Score(p, samples[i]).Average()).ToArray();
    }
}
