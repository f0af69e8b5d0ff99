using System.Diagnostics;
using LlmCourse.Alignment;
using LlmCourse.Evaluation;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Makes the reader checkpoint by <see cref="ReaderRecipe"/> (about 20 minutes on 2 idle cores) and reports the induction
/// probe along the copy lesson, then copy probe, reading, lookup and instruction accuracy and forgetting.
/// <c>-- reader [output folder]</c>; default output: artifacts/reader (data/checkpoints/reader to regenerate the committed one).
/// </summary>
public sealed class ReaderBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "reader";

    /// <inheritdoc />
    public string Description => "make the reader checkpoint (ReaderRecipe: copy lesson + SFT with reading lessons); report what it can read";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var output = args.Length > 0 ? args[0] : Path.Combine(Course.ArtifactsDir, "reader");
        var clock = Stopwatch.StartNew();
        var loaded = GptCheckpoint.Load(BaseRecipe.Folder);
        using var model = loaded.Model;
        var tokenizer = loaded.Tokenizer!;
        using var replay = SftRecipe.Replay(tokenizer);
        Console.WriteLine($"copy lesson: {ReaderRecipe.CopyLesson}");
        Console.WriteLine($"step 0: {InductionProbe.Run(model)}");
        ReaderRecipe.Train(model, tokenizer, replay,
            s =>
            {
                if (s.Step % 250 == 0)
                    Console.WriteLine($"step {s.Step} ({clock.Elapsed.TotalMinutes:F1} min, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}): text {s.TextLoss:F2}, copy rows {s.CopyLoss:F2} nats · {InductionProbe.Run(model)}");
            },
            r => { if (r.Step % 50 == 0) Console.WriteLine($"SFT {r}"); });
        GptCheckpoint.Save(output, model, tokenizer, storeWeightsAs: ScalarType.BFloat16);
        File.WriteAllText(Path.Combine(output, SftRecipe.RecipeFile), ReaderRecipe.Describe());
        Console.WriteLine($"saved to {Path.GetFullPath(output)} after {clock.Elapsed.TotalMinutes:F1} min (threads {get_num_threads()})");

        using var reader = GptCheckpoint.Load(output).Model;
        var instructions = InstructionData.Generate();
        var reading = ReadingData.Generate();
        Console.WriteLine(InductionProbe.Run(reader));
        Console.WriteLine(CopyProbe.Run(reader, tokenizer, CopyProbe.Items(reading.HeldOut.Where(i => i.Family == "reading")), "copy probe"));
        Console.WriteLine(SftRecipe.HeldOutAccuracy(reader, tokenizer, instructions, "held-out instructions"));
        Console.WriteLine(SftRecipe.ReadingAccuracy(reader, tokenizer, reading.HeldOut, "held-out reading and repeat"));
        Console.WriteLine(SftRecipe.LookupAccuracy(reader, tokenizer, reading.LookupHeldOut, "held-out lookup"));
        Console.WriteLine($"held-out Austen: {replay.BitsPerCharacter(replay.HeldOutLoss(reader)):F3} bits/char");
    }
}
