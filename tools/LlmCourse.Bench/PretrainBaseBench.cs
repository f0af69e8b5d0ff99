using System.Diagnostics;
using LlmCourse.Data;
using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Trains the course's base checkpoint by <see cref="BaseRecipe"/> and reports what the issue asks: training tokens/s,
/// held-out bits per character, peak RSS. <c>-- pretrain-base [output folder] [steps]</c>; default output: artifacts/base.
/// </summary>
public sealed class PretrainBaseBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "pretrain-base";

    /// <inheritdoc />
    public string Description => "train the base checkpoint (BaseRecipe) on Austen; report tokens/s, validation bits/char, peak RSS";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var output = args.Length > 0 ? args[0] : Path.Combine(Course.ArtifactsDir, "base");
        var steps = args.Length > 1 ? int.Parse(args[1]) : BaseRecipe.Settings.Steps;
        var settings = BaseRecipe.Settings with { Steps = steps, WarmupSteps = Math.Min(BaseRecipe.Settings.WarmupSteps, steps) };
        var total = Stopwatch.StartNew();
        var corpus = Corpus.Austen;
        var tokenizer = BaseRecipe.TrainTokenizer(corpus);
        var train = tokenizer.Encode(corpus.Train);
        var validation = tokenizer.Encode(corpus.Validation);
        Console.WriteLine($"tokenizer {tokenizer.Name}: {total.Elapsed.TotalSeconds:F1} s; train {train.Length:N0} tokens ({(double)corpus.Train.Length / train.Length:F2} chars/token), validation {validation.Length:N0}");

        using var model = new GptModel(BaseRecipe.Config(tokenizer));
        using var trainer = new Trainer(model, train, validation, settings, tokenizer);
        trainer.StepCompleted += r => { if (r.Step % 50 == 0) Console.WriteLine(r); };
        trainer.Validated += v => Console.WriteLine($"  validation at step {v.Step}: {v.Loss:F3} nats/token");
        var trainClock = Stopwatch.StartNew();
        trainer.Train();
        var trainSeconds = trainClock.Elapsed.TotalSeconds;

        var heldOut = HeldOutLoss.Mean(model, validation); // every non-overlapping window of the validation chapters
        var bpc = HeldOutLoss.BitsPerCharacter(heldOut, validation.Length, corpus.Validation.Length);
        GptCheckpoint.Save(output, model, tokenizer, storeWeightsAs: ScalarType.BFloat16);
        using var reloaded = GptCheckpoint.Load(output).Model;
        var reloadedBpc = HeldOutLoss.BitsPerCharacter(HeldOutLoss.Mean(reloaded, validation), validation.Length, corpus.Validation.Length);

        Console.WriteLine($"threads {get_num_threads()} · params {model.ParameterCount:N0} · {settings.Steps} steps · {trainer.TokensSeen:N0} tokens");
        Console.WriteLine($"training: {trainSeconds:F0} s, {trainer.TokensSeen / trainSeconds:N0} tokens/s");
        Console.WriteLine($"held-out loss {heldOut:F4} nats/token = {bpc:F3} bits/char (fp32); after bf16 storage: {reloadedBpc:F3} bits/char");
        Console.WriteLine($"peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB · total {total.Elapsed.TotalSeconds:F0} s · saved to {Path.GetFullPath(output)}");
    }
}
