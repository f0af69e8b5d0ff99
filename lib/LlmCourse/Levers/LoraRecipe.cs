using LlmCourse.Alignment;

namespace LlmCourse.Levers;

/// <summary>
/// Notebook 8a's LoRA fine-tune of the base checkpoint on the instruction data (<see cref="AlignmentDataFiles.LoadInstructions"/>),
/// compared there with full fine-tuning (the committed SFT checkpoint, <see cref="SftRecipe"/>). Batches, schedule shape
/// and Austen replay are the SFT recipe's, written out here rather than borrowed, so this record does not move when the
/// SFT recipe does; the learning rate, the step count and the adapter layout are LoRA's own, chosen by the bench
/// <c>lora-lr</c> on a tuning split of the training data (<see cref="TuningSplit"/>), never on the held-out items the
/// notebook reports.
/// </summary>
public static class LoraRecipe
{
    /// <summary>Every Linear of every block: attention's q, k, v, o and the MLP's up and down.</summary>
    public const string AllProjections = @"(q|k|v|o|up|down)_proj$";

    /// <summary>
    /// LoRA's peak learning rate (also that of the marker rows). The same number as full fine-tuning's, but with
    /// <see cref="AlphaPerRank"/> = 32 the detour's B moves 32 times faster in effect. Swept at rank 4 on the tuning split
    /// (bench <c>lora-lr</c>, notebook 8a quotes it), 300 steps without replay: 1e-3 beat 2e-3 and 5e-3 at alpha/r = 32,
    /// and every rate at alpha/r = 2 (5e-3, 1e-2, and 3e-2, which broke down). With replay, 300 steps: 1e-3 beat 2e-3.
    /// </summary>
    public const double LearningRate = 1e-3;

    /// <summary>
    /// The run: 600 steps × 16 conversations, peak rate <see cref="LearningRate"/> after 20 warmup steps, cosine to a
    /// tenth of it, no weight decay, clipping at 1, no held-out loss during training; every step also replays 4 windows
    /// of Austen (weight 1), as the SFT recipe does, so that forgetting compares fairly with full fine-tuning.
    /// <para>
    /// The step count was chosen with replay on the tuning split (bench <c>lora-lr --replay 4</c>, rank 4 with the
    /// embedding adapter, 118 items; full fine-tuning with the same replay, 300 steps at 1e-3: 44.1 %, Austen 1.646
    /// bits/char): 300 steps reached 36.4 % at 1e-3 and 34.7 % at 2e-3; 600 steps 43.2 % at 1e-3 (98 % of full, Austen
    /// 1.649); 900 steps 51.7 % at 1e-3 (Austen 1.638). 600 is the fewest tried that reached 95 % of full; the
    /// projections alone (no embedding adapter) got 34.7 % in 600 steps. A LoRA step skips the frozen weights' gradients
    /// and AdamW updates but still runs the whole forward and backward pass, so LoRA's 600 steps cost more compute than
    /// full fine-tuning's 300 (notebook 8a measures the ratio).
    /// </para>
    /// </summary>
    public static SftSettings Settings { get; } = new()
    {
        Steps = 600,
        BatchSize = 16,
        LearningRate = LearningRate,
        MinLearningRate = LearningRate / 10,
        WarmupSteps = 20,
        GradientClip = 1.0,
        EvalEvery = 0,
        Seed = Course.DefaultSeed,
        ReplayWindows = 4,
        ReplayWeight = 1.0,
    };

    /// <summary>
    /// alpha / r, the factor on every <c>B·A</c>. Under Adam, scaling <c>B·A</c> by s is the same as giving B an s times
    /// larger learning rate than A (a rescaled B computes the same function), which is LoRA+'s advice (Hayou et al.,
    /// 2024): B wants a much larger rate than A. The common alpha = 2r needs a high rate for both to move B enough, and
    /// then A moves too fast: at 3e-2 that run blew up.
    /// </summary>
    public const double AlphaPerRank = 32;

    /// <summary>Rank of the low-rank update of the (tied) token embedding, which is also the model's output layer.</summary>
    public const int EmbeddingRank = 16;

    /// <summary>
    /// The LoRA config of rank <paramref name="rank"/>: every projection with alpha = <see cref="AlphaPerRank"/> · r, and on the token embedding
    /// (which the projections' adapters cannot reach) a rank-<see cref="EmbeddingRank"/> update plus trainable rows
    /// for the chat template's four markers, tokens the base model never read during pretraining.
    /// </summary>
    /// <param name="rank">Rank of the projections' adapters.</param>
    /// <param name="template">The chat template whose marker ids get trainable rows.</param>
    /// <param name="adaptEmbedding">False for plain LoRA on the projections only (the comparison in the notebook).</param>
    /// <param name="alphaPerRank">alpha / r, for sweeps; the recipe's is <see cref="AlphaPerRank"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rank below 1.</exception>
    public static LoraConfig Config(int rank, ChatTemplate template, bool adaptEmbedding = true, double alphaPerRank = AlphaPerRank)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var plain = new LoraConfig(rank, alphaPerRank * rank, AllProjections);
        return adaptEmbedding
            ? plain with { EmbeddingRank = EmbeddingRank, TrainableTokens = [template.SystemId, template.UserId, template.AssistantId, template.EndId] }
            : plain;
    }

    /// <summary>
    /// A split of the TRAINING items for choosing settings: every <paramref name="every"/>-th distinct instance (phrasing +
    /// slot values, in order of first appearance) becomes the tuning split's held-out part, the rest its training
    /// part. No instance is on both sides, and the real held-out items are not used at all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> below 2.</exception>
    public static InstructionSet TuningSplit(InstructionSet data, int every = 7)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 2);
        var instances = data.Train.Select(i => i.Instance).Distinct().ToList();
        var validation = instances.Where((_, i) => i % every == every - 1).ToHashSet();
        return new InstructionSet(data.Train.Where(i => !validation.Contains(i.Instance)).ToList(),
                                  data.Train.Where(i => validation.Contains(i.Instance)).ToList());
    }
}
