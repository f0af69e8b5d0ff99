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
/// The learning-rate sweep behind <see cref="LoraRecipe.LearningRate"/>: fine-tunes the base checkpoint on the training
/// part of <see cref="LoraRecipe.TuningSplit"/> with <see cref="LoraRecipe.Settings"/> at each given rate and reports
/// accuracy on the split's held-out part (training instances the run never saw; the real held-out items stay unused).
/// <c>-- lora-lr [--threads N] [--alpha-per-rank S] [--steps N] ARM@RATE ...</c>, ARM = <c>full</c>, <c>rR</c> (projections only), <c>rR+emb</c>
/// (<see cref="LoraRecipe.Config"/> with the whole embedding adapter) or <c>rR+rows</c> (only the marker rows, no
/// low-rank embedding update), e.g. <c>r4+emb@1e-2 r4@5e-3 full@1e-3</c>.
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
        var threadsAt = Array.IndexOf(args, "--threads");
        if (threadsAt >= 0)
            set_num_threads(int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture));
        var alphaAt = Array.IndexOf(args, "--alpha-per-rank");
        var alphaPerRank = alphaAt >= 0 ? double.Parse(args[alphaAt + 1], CultureInfo.InvariantCulture) : LoraRecipe.AlphaPerRank;
        var stepsAt = Array.IndexOf(args, "--steps");
        var settings = stepsAt >= 0 ? LoraRecipe.Settings with { Steps = int.Parse(args[stepsAt + 1], CultureInfo.InvariantCulture) } : LoraRecipe.Settings;
        var arms = args.Where(a => a.Contains('@')).ToList();
        var tokenizer = GptCheckpoint.Load(BaseRecipe.Folder).Tokenizer!;
        using var probe = GptCheckpoint.Load(BaseRecipe.Folder).Model;
        var template = SftRecipe.Template(probe, tokenizer);
        var split = LoraRecipe.TuningSplit(AlignmentDataFiles.LoadInstructions());
        var train = SftData.Build(split.Train.Select(i => i.ToChat()), template);
        var tuning = SftData.Build(split.HeldOut.Select(i => i.ToChat()), template);
        var task = InstructionSet.Eval("tuning", split.HeldOut, template);
        var austen = Corpus.Austen.Validation[..20_000];
        Console.WriteLine($"alpha/r {alphaPerRank} · steps {settings.Steps} · threads {get_num_threads()} · load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} · train {train} · tuning items {split.HeldOut.Count}");
        foreach (var arm in arms)
        {
            var (kind, rate) = (arm.Split('@')[0], double.Parse(arm.Split('@')[1], CultureInfo.InvariantCulture));
            using var model = GptCheckpoint.Load(BaseRecipe.Folder).Model;
            if (kind != "full")
            {
                var config = LoraRecipe.Config(int.Parse(kind.TrimStart('r').Split('+')[0], CultureInfo.InvariantCulture), template, kind.Contains('+'), alphaPerRank);
                Lora.Apply(model, kind.EndsWith("+rows", StringComparison.Ordinal) ? config with { EmbeddingRank = 0 } : config);
            }
            var clock = Stopwatch.StartNew();
            using var trainer = new SftTrainer(model, train, tuning, settings with { LearningRate = rate, MinLearningRate = rate / 10 });
            var history = trainer.Train();
            var seconds = clock.Elapsed.TotalSeconds;
            model.eval();
            var result = task.Run(SftRecipe.Answerer(model, tokenizer));
            var bpc = Perplexity.Measure(model, tokenizer, austen, new PerplexityOptions { Stride = 128 }).BitsPerCharacter;
            var trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
            Console.WriteLine($"{arm,-16} trainable {trainable,9:N0} · tuning accuracy {result.Correct}/{result.Total} = {result.Accuracy:P1} {result.Interval} · " +
                              $"tuning answer loss {history.Validation[^1].Loss:F3} · Austen {bpc:F4} bits/char · {seconds:F0} s");
        }
    }
}
