using LlmCourse.Evaluation;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Tokenization;

namespace LlmCourse.Alignment;

/// <summary>
/// The recipe of the course's SFT checkpoint (<c>data/checkpoints/sft/</c>): the base checkpoint fine-tuned on the
/// training instructions (<see cref="InstructionData"/>, default seed) with these settings. The bench entry
/// <c>sft</c> reproduces it; notebooks 05, 06c and 08a load it instead of re-training.
/// </summary>
public static class SftRecipe
{
    /// <summary>Where the committed SFT checkpoint lives.</summary>
    public static string Folder => Path.Combine(Course.DataDir, "checkpoints", "sft");

    /// <summary>
    /// The fine-tune: 300 steps × 16 conversations (about 6 passes over the 828 training conversations), peak
    /// learning rate 1e-3 after 20 warmup steps, cosine to 1e-4, no weight decay, clipping at 1.
    /// </summary>
    public static SftSettings Settings { get; } = new()
    {
        Steps = 300,
        BatchSize = 16,
        LearningRate = 1e-3,
        MinLearningRate = 1e-4,
        WarmupSteps = 20,
        GradientClip = 1.0,
        EvalEvery = 25,
        Seed = Course.DefaultSeed,
    };

    /// <summary>Tokens an answer may take when the recipe's evaluations generate (the longest ideal answer is well under this).</summary>
    public const int MaxAnswerTokens = 16;

    /// <summary>The chat template for <paramref name="model"/>'s context and <paramref name="tokenizer"/>.</summary>
    public static ChatTemplate Template(GptModel model, ITokenizer tokenizer) => new(tokenizer, model.Config.ContextLength);

    /// <summary>
    /// The answerer the recipe's evaluations use: greedy decoding of at most <see cref="MaxAnswerTokens"/> tokens,
    /// stopping at &lt;|end|&gt;; the answer is what came before it. Fewer tokens are faster but cut long answers.
    /// </summary>
    public static Answerer Answerer(GptModel model, ITokenizer tokenizer, int maxNewTokens = MaxAnswerTokens) =>
        ModelAnswerers.Create(model, tokenizer, ModelAnswerers.DefaultOptions(tokenizer, maxNewTokens));

    /// <summary>Held-out task accuracy of <paramref name="model"/>: every held-out instruction asked in the chat template, answered greedily, checked by its item.</summary>
    public static TaskEvalResult HeldOutAccuracy(GptModel model, ITokenizer tokenizer, InstructionSet data, string name) =>
        InstructionSet.Eval(name, data.HeldOut, Template(model, tokenizer)).Run(Answerer(model, tokenizer));

    /// <summary>Greedy options for showing answers: up to <paramref name="maxNewTokens"/> tokens, stop at &lt;|end|&gt;.</summary>
    public static GenerationOptions Greedy(ITokenizer tokenizer, int maxNewTokens = MaxAnswerTokens) => ModelAnswerers.DefaultOptions(tokenizer, maxNewTokens);
}
