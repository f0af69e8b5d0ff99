using System.Diagnostics;
using System.Globalization;
using LlmCourse.Alignment;
using LlmCourse.Data;
using LlmCourse.Evaluation;
using LlmCourse.Levers;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// The sweep behind <see cref="LoraRecipe"/>: fine-tunes the base checkpoint on the training part of
/// <see cref="LoraRecipe.TuningSplit"/> with <see cref="LoraRecipe.Settings"/> at each given rate and reports accuracy on
/// the split's held-out part (training instances the run never saw; the real held-out items stay unused) and the
/// forgetting (Austen bits/char). <c>-- lora-lr [--threads N] [--alpha-per-rank S] [--steps N] [--replay W] ARM@RATE[:STEPS] ...</c>,
/// ARM = <c>full</c>, <c>rR</c> (projections only), <c>rR+emb</c> (<see cref="LoraRecipe.Config"/> with the whole
/// embedding adapter) or <c>rR+rows</c> (only the marker rows, no low-rank embedding update); <c>:STEPS</c> overrides
/// <c>--steps</c> for one arm; <c>--replay W</c> makes every arm (full fine-tuning too, so forgetting compares fairly)
/// replay W windows of Austen per step as the SFT recipe does (<c>--replay 0</c> turns off the recipe's replay), e.g.
/// <c>--replay 4 full@1e-3:300 r4+emb@1e-3:900</c>.
/// </summary>
public sealed class LoraLrBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "lora-lr";

    /// <inheritdoc />
    public string Description => "LoRA / full fine-tuning learning rates on a tuning split of the SFT training data: tuning accuracy, Austen bits/char";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        BenchArgs.ApplyThreads(args);
        var alphaPerRank = BenchArgs.Option(args, "alpha-per-rank", LoraRecipe.AlphaPerRank);
        var settings = LoraRecipe.Settings with
        {
            Steps = BenchArgs.Option(args, "steps", LoraRecipe.Settings.Steps),
            ReplayWindows = BenchArgs.Option(args, "replay", LoraRecipe.Settings.ReplayWindows),
        };
        var arms = args.Where(a => a.Contains('@')).ToList();
        var tokenizer = GptCheckpoint.Load(BaseRecipe.Folder).Tokenizer!;
        using var probe = GptCheckpoint.Load(BaseRecipe.Folder).Model;
        var template = SftRecipe.Template(probe, tokenizer);
        var split = LoraRecipe.TuningSplit(AlignmentDataFiles.LoadInstructions());
        var train = SftData.Build(split.Train.Select(i => i.ToChat()), template);
        var tuning = SftData.Build(split.HeldOut.Select(i => i.ToChat()), template);
        var task = InstructionSet.Eval("tuning", split.HeldOut, template);
        var austen = Corpus.Austen.Validation[..20_000];
        using var replay = settings.ReplayWindows > 0 ? SftRecipe.Replay(tokenizer) : null;
        Console.WriteLine($"alpha/r {alphaPerRank} · steps {settings.Steps} · replay {settings.ReplayWindows} windows/step · threads {get_num_threads()} · load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} · train {train} · tuning items {split.HeldOut.Count}");
        foreach (var arm in arms)
        {
            var kind = arm.Split('@')[0];
            var rateAndSteps = arm.Split('@')[1].Split(':');
            var rate = double.Parse(rateAndSteps[0], CultureInfo.InvariantCulture);
            var steps = rateAndSteps.Length > 1 ? int.Parse(rateAndSteps[1], CultureInfo.InvariantCulture) : settings.Steps;
            using var model = GptCheckpoint.Load(BaseRecipe.Folder).Model;
            if (kind != "full")
            {
                var config = LoraRecipe.Config(int.Parse(kind.TrimStart('r').Split('+')[0], CultureInfo.InvariantCulture), template, kind.Contains('+'), alphaPerRank);
                Lora.Apply(model, kind.EndsWith("+rows", StringComparison.Ordinal) ? config with { EmbeddingRank = 0 } : config);
            }
            var clock = Stopwatch.StartNew();
            using var trainer = new SftTrainer(model, train, tuning, settings with { LearningRate = rate, MinLearningRate = rate / 10, Steps = steps }, replay);
            var history = trainer.Train();
            var seconds = clock.Elapsed.TotalSeconds;
            model.eval();
            var result = task.Run(SftRecipe.Answerer(model, tokenizer));
            var bpc = Perplexity.Measure(model, tokenizer, austen, new PerplexityOptions { Stride = 128 }).BitsPerCharacter;
            var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
            Console.WriteLine($"{arm,-16} trainable {trainable,9:N0} · tuning accuracy {result.Correct}/{result.Total} = {result.Accuracy:P1} {result.Interval} · " +
                              $"tuning answer loss {history.Validation[^1].Loss:F3} · Austen {bpc:F4} bits/char · {steps} steps {seconds:F0} s = {seconds * 1000 / steps:F0} ms/step · " +
                              $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }
}
