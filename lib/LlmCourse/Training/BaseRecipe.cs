using LlmCourse.Data;
using LlmCourse.Model;
using LlmCourse.Tokenization;

namespace LlmCourse.Training;

/// <summary>
/// The recipe of the course's base checkpoint (<c>data/checkpoints/base/</c>): tokenizer, model shape and training
/// settings, fixed so that <c>dotnet run -c Release --project tools/LlmCourse.Bench -- pretrain-base</c> reproduces it
/// and the pretraining notebook starts from the same numbers.
/// </summary>
public static class BaseRecipe
{
    /// <summary>
    /// The tokenizer's vocabulary: the course's byte-level BPE trained on the training chapters, 1,024 ids including the
    /// five special tokens (end of text and the four chat tokens supervised fine-tuning needs). Small enough that the
    /// embedding stays a fraction of the model; large enough that a 128-token context holds ~400 characters.
    /// </summary>
    public const int VocabularySize = 1024;

    /// <summary>Where the committed base checkpoint lives.</summary>
    public static string Folder => Path.Combine(Course.DataDir, "checkpoints", "base");

    /// <summary>Trains the recipe's tokenizer on the corpus's training text (deterministic).</summary>
    public static BytePairTokenizer TrainTokenizer(Corpus corpus) => BpeTrainer.Train(corpus.Train, new BpeTrainingOptions(VocabularySize));

    /// <summary>The model: the course's CPU default (6 layers, width 192, 6 heads, context 128, RoPE) at the tokenizer's vocabulary.</summary>
    public static GptConfig Config(ITokenizer tokenizer) => GptConfig.CpuDefault(tokenizer.VocabularySize);

    /// <summary>The training settings of the base run (full mode).</summary>
    public static TrainingSettings Settings { get; } = new()
    {
        Steps = 700,
        BatchSize = 16,
        AccumulationSteps = 1,
        LearningRate = 2e-3,
        MinLearningRate = 2e-4,
        WarmupSteps = 50,
        GradientClip = 1.0,
        EvalEvery = 100,
        EvalWindows = 64,
        Seed = Course.DefaultSeed,
    };
}
