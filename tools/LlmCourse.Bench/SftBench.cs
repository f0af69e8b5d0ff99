using System.Diagnostics;
using LlmCourse.Alignment;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Fine-tunes the base checkpoint by <see cref="SftRecipe"/> and reports held-out task accuracy before and after, the
/// held-out answer loss and the time. <c>-- sft [output folder] [steps]</c>; default output: artifacts/sft.
/// </summary>
public sealed class SftBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "sft";

    /// <inheritdoc />
    public string Description => "fine-tune the base checkpoint on the instruction data (SftRecipe); report held-out accuracy before/after and time";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var output = args.Length > 0 ? args[0] : Path.Combine(Course.ArtifactsDir, "sft");
        var settings = args.Length > 1 ? SftRecipe.Settings with { Steps = int.Parse(args[1]) } : SftRecipe.Settings;
        var loaded = GptCheckpoint.Load(BaseRecipe.Folder);
        using var model = loaded.Model;
        var tokenizer = loaded.Tokenizer!;
        var template = SftRecipe.Template(model, tokenizer);
        var data = InstructionData.Generate();
        var train = SftData.Build(data.Train.Select(i => i.ToChat()), template);
        var heldOut = SftData.Build(data.HeldOut.Select(i => i.ToChat()), template);
        Console.WriteLine($"train: {train}\nheld out: {heldOut}");

        var before = SftRecipe.HeldOutAccuracy(model, tokenizer, data, "base, held out");
        Console.WriteLine(before);
        using var trainer = new SftTrainer(model, train, heldOut, settings);
        trainer.StepCompleted += r => { if (r.Step % 25 == 0) Console.WriteLine(r); };
        trainer.Validated += v => Console.WriteLine($"  held-out answer loss at step {v.Step}: {v.Loss:F3} nats/token");
        trainer.Train();
        Console.WriteLine($"SFT: {settings.Steps} steps in {trainer.Elapsed.TotalSeconds:F0} s (threads {get_num_threads()})");

        GptCheckpoint.Save(output, model, tokenizer, storeWeightsAs: ScalarType.BFloat16);
        using var reloaded = GptCheckpoint.Load(output).Model;
        var after = SftRecipe.HeldOutAccuracy(reloaded, tokenizer, data, "SFT (bf16), held out");
        Console.WriteLine(after);
        foreach (var family in data.Families)
        {
            var ids = data.HeldOut.Where(i => i.Family == family).Select(i => i.Id).ToHashSet();
            Console.WriteLine($"  {family,-10} before {before.Where(ids.Contains).Accuracy,6:P0}  after {after.Where(ids.Contains).Accuracy,6:P0}  ({ids.Count} items)");
        }
        Console.WriteLine($"peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB · saved to {Path.GetFullPath(output)}");
    }
}
