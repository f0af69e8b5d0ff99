using LlmCourse.Model;
using LlmCourse.Tokenization;
using LlmCourse.Training;

namespace LlmCourse.Alignment;

/// <summary>
/// The recipe of the <b>reader</b> checkpoint (<c>data/checkpoints/reader/</c>), the chat model notebook 5 hands facts to:
/// the base checkpoint first takes a <see cref="CopyLesson"/> (repeated random tokens until an induction circuit forms,
/// which the base model never grew and 300 fine-tuning steps cannot grow), then the SFT recipe's fine-tune
/// (<see cref="SftRecipe.Settings"/>, with replay) on the instructions mixed with the reading lessons, repeat lessons
/// and tool-use transcripts of <see cref="ReadingData"/>. About 20 minutes on 2 idle cores, most of it the copy lesson, so
/// the notebook loads the result; the bench entry <c>reader</c> reproduces it.
/// </summary>
public static class ReaderRecipe
{
    /// <summary>Where the committed reader checkpoint lives.</summary>
    public static string Folder => Path.Combine(Course.DataDir, "checkpoints", "reader");

    /// <summary>The copy lesson on the base checkpoint: 2,000 steps of 4 Austen windows and 16 repeated random rows.</summary>
    public static CopyLessonSettings CopyLesson { get; } = new();

    /// <summary>Weights of the fine-tune's sources in every batch: instructions, reading, repeat, lookup (9 : 4 : 2 : 1 of 16 rows).</summary>
    public static (double Instructions, double Reading, double Repeat, double Lookup) Shares { get; } = (9, 4, 2, 1);

    /// <summary>The fine-tune's sources: <see cref="SftRecipe.AllSources"/> with <see cref="Shares"/>.</summary>
    public static IReadOnlyList<SftSource> Sources(ChatTemplate template, InstructionSet instructions, ReadingSet reading) =>
        SftRecipe.AllSources(template, instructions, reading).Select(s => s with
        {
            Weight = s.Name switch
            {
                "instructions" => Shares.Instructions,
                "reading" => Shares.Reading,
                "repeat" => Shares.Repeat,
                "lookup" => Shares.Lookup,
                _ => throw new InvalidOperationException($"The reader recipe has no share for the source '{s.Name}'."),
            },
        }).ToList();

    /// <summary>The recipe in words (compared by a test with the checkpoint's recipe.txt).</summary>
    public static string Describe() =>
        $"copy lesson: {CopyLesson}\n" + SftRecipe.Describe(SftRecipe.Settings, Shares.Instructions, Shares.Reading, Shares.Repeat, Shares.Lookup);

    /// <summary>
    /// Runs the recipe on <paramref name="baseModel"/> in place: the copy lesson on <paramref name="replay"/>'s training
    /// ids, then the fine-tune with replay.
    /// </summary>
    /// <param name="baseModel">The base checkpoint's model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="replay">Austen's chapters (<see cref="SftRecipe.Replay"/>).</param>
    /// <param name="onCopyStep">Called after every copy-lesson step.</param>
    /// <param name="onSftStep">Called after every fine-tuning step.</param>
    public static void Train(GptModel baseModel, ITokenizer tokenizer, ReplayText replay, Action<CopyLessonStep>? onCopyStep = null, Action<StepReport>? onSftStep = null)
    {
        Training.CopyLesson.Run(baseModel, replay.TrainTokens, CopyLesson, onCopyStep);
        RoundToBFloat16(baseModel); // the recipe was first run as two steps with a bfloat16 checkpoint between them
        var template = SftRecipe.Template(baseModel, tokenizer);
        var instructions = InstructionData.Generate();
        var reading = ReadingData.Generate();
        using var trainer = new SftTrainer(baseModel, Sources(template, instructions, reading), SftRecipe.HeldOut(template, instructions, reading), SftRecipe.Settings, replay);
        if (onSftStep is not null)
            trainer.StepCompleted += onSftStep;
        trainer.Train();
    }

    /// <summary>Rounds every floating tensor of the state (weights and buffers) to bfloat16 and back, as saving and loading a bfloat16 checkpoint does.</summary>
    private static void RoundToBFloat16(GptModel model)
    {
        using var noGrad = TorchSharp.torch.no_grad();
        foreach (var (_, tensor) in model.state_dict())
            if (TorchSharp.torch.is_floating_point(tensor))
                tensor.copy_(tensor.to(TorchSharp.torch.ScalarType.BFloat16).to(tensor.dtype));
    }
}
