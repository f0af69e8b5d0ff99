using LlmCourse.Alignment;
using LlmCourse.Tokenization;
using LlmCourse.Training;

namespace LlmCourse.Tests.Alignment;

/// <summary>Shared, read-only inputs of the alignment tests: the base tokenizer and the generated data.</summary>
internal static class AlignmentFixtures
{
    private static readonly Lazy<BytePairTokenizer> LazyTokenizer =
        new(() => BytePairTokenizer.Load(Path.Combine(BaseRecipe.Folder, GptCheckpoint.TokenizerFile)));

    private static readonly Lazy<InstructionSet> LazyInstructions = new(() => InstructionData.Generate());

    private static readonly Lazy<ReadingSet> LazyReading = new(() => ReadingData.Generate());

    /// <summary>The base checkpoint's tokenizer (1,024 ids, chat tokens 1019–1023).</summary>
    public static BytePairTokenizer Tokenizer => LazyTokenizer.Value;

    /// <summary>The chat template at the base model's context of 128.</summary>
    public static ChatTemplate Template => new(Tokenizer, 128);

    /// <summary>The instruction data for the default seed.</summary>
    public static InstructionSet Instructions => LazyInstructions.Value;

    /// <summary>The reading and tool-use lessons for the default seed.</summary>
    public static ReadingSet Reading => LazyReading.Value;
}
