using System.Diagnostics;
using System.Globalization;
using LlmCourse.Alignment;
using LlmCourse.Evaluation;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Fine-tunes the base checkpoint by <see cref="SftRecipe"/> and reports, before and after: held-out accuracy per
/// family (instructions, reading, tool use), held-out bits per character on the validation chapters (forgetting),
/// the held-out answer loss and the time.
/// <c>-- sft [output folder] [key=value ...]</c>; default output: artifacts/sft. Keys override the recipe for
/// experiments: steps, batch, lr, minlr, warmup, replay (windows per step), replayweight, instructions, reading,
/// lookup (shares), before=1 (also evaluate the base model's accuracy; its bits per character are always measured),
/// compare=folder (another checkpoint's bits per character and accuracy; with steps=0 only that), from=folder (start there, not
/// at the base checkpoint).
/// </summary>
public sealed class SftBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "sft";

    /// <inheritdoc />
    public string Description => "fine-tune the base checkpoint by SftRecipe (instructions + reading + tool use, with replay); report accuracy per family, bits/char, time";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var output = args.Length > 0 && !args[0].Contains('=') ? args[0] : Path.Combine(Course.ArtifactsDir, "sft");
        var options = args.Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        double Number(string key, double fallback) => options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var recipe = SftRecipe.Settings;
        var settings = recipe with
        {
            Steps = (int)Number("steps", recipe.Steps),
            BatchSize = (int)Number("batch", recipe.BatchSize),
            LearningRate = Number("lr", recipe.LearningRate),
            MinLearningRate = Number("minlr", recipe.MinLearningRate),
            WarmupSteps = (int)Number("warmup", recipe.WarmupSteps),
            ReplayWindows = (int)Number("replay", recipe.ReplayWindows),
            ReplayWeight = Number("replayweight", recipe.ReplayWeight),
        };
        Console.WriteLine($"settings: {settings}");
        var total = Stopwatch.StartNew();
        var loaded = GptCheckpoint.Load(options.GetValueOrDefault("from", BaseRecipe.Folder)); // from=folder: start from another checkpoint
        using var model = loaded.Model;
        var tokenizer = loaded.Tokenizer!;
        var template = SftRecipe.Template(model, tokenizer);
        var instructions = InstructionData.Generate();
        var reading = ReadingData.Generate();
        var sources = SftRecipe.AllSources(template, instructions, reading)
            .Select(s => s with { Weight = Number(s.Name, s.Weight) }).Where(s => s.Weight > 0).ToList(); // weight 0 leaves a source out
        var heldOut = SftRecipe.HeldOut(template, instructions, sources.Any(s => s.Name != "instructions") ? reading : null);
        var clock = Stopwatch.StartNew();
        using var replay = SftRecipe.Replay(tokenizer);
        Console.WriteLine($"replay text: {replay.TrainTokens.Count:N0} training tokens, {replay.ValidationTokens:N0} held-out tokens ({clock.Elapsed.TotalSeconds:F1} s to encode)");
        foreach (var s in sources)
            Console.WriteLine($"source {s.Name,-12} weight {s.Weight}: {s.Data}");
        Console.WriteLine($"held out: {heldOut}");

        var baseBpc = replay.BitsPerCharacter(replay.HeldOutLoss(model));
        Console.WriteLine($"base: held-out text {baseBpc:F3} bits/char (every validation window)");
        if (options.TryGetValue("compare", out var other)) // e.g. compare=../main/data/checkpoints/sft: another checkpoint's forgetting, same windows
        {
            using var otherModel = GptCheckpoint.Load(other).Model;
            Console.WriteLine($"{other}: held-out text {replay.BitsPerCharacter(replay.HeldOutLoss(otherModel)):F3} bits/char; {SftRecipe.HeldOutAccuracy(otherModel, tokenizer, instructions, "held-out instructions")}");
            if (options.GetValueOrDefault("steps") == "0")
                return;
        }
        var before = options.GetValueOrDefault("before") == "1" ? Evaluate(model, tokenizer, instructions, reading, "base") : null;
        var probes = CopyProbe.Items(reading.HeldOut.Where(i => i.Family == "reading"));
        Console.WriteLine(CopyProbe.Run(model, tokenizer, probes, "copy probe, base"));

        using var trainer = new SftTrainer(model, sources, heldOut, settings, replay);
        Console.WriteLine($"per batch: {string.Join(", ", sources.Zip(trainer.PerBatch, (s, n) => $"{n} {s.Name}"))} + {settings.ReplayWindows} replay windows");
        trainer.StepCompleted += r => { if (r.Step % 25 == 0) Console.WriteLine(r); };
        trainer.Validated += v => Console.WriteLine($"  {v}");
        trainer.Train();
        Console.WriteLine($"SFT: {settings.Steps} steps in {trainer.Elapsed.TotalSeconds:F0} s (threads {get_num_threads()}, load {LoadAverage()})");

        GptCheckpoint.Save(output, model, tokenizer, storeWeightsAs: ScalarType.BFloat16);
        // What made this checkpoint: the recipe itself (a test compares it with SftRecipe.Describe()), or the overrides.
        File.WriteAllText(Path.Combine(output, SftRecipe.RecipeFile), options.Count == 0 || options.Keys.All(k => k == "before")
            ? SftRecipe.Describe()
            : $"experiment, not the recipe: {string.Join(" ", options.Select(o => $"{o.Key}={o.Value}"))}\n");
        using var reloaded = GptCheckpoint.Load(output).Model;
        var afterBpc = replay.BitsPerCharacter(replay.HeldOutLoss(reloaded));
        Console.WriteLine(CopyProbe.Run(reloaded, tokenizer, probes, "copy probe, SFT (bf16)"));
        var after = Evaluate(reloaded, tokenizer, instructions, reading, "SFT (bf16)");
        Console.WriteLine($"held-out text: base {baseBpc:F3} → SFT (bf16) {afterBpc:F3} bits/char ({(afterBpc / baseBpc - 1):+0.0%;-0.0%})");
        Console.WriteLine(after.Instructions);
        Console.WriteLine(after.Reading.Where(id => id.Contains("-reading-"), "reading"));
        Console.WriteLine(after.Reading.Where(id => id.Contains("-repeat-"), "repeat"));
        Console.WriteLine(after.Lookup);
        foreach (var family in instructions.Families)
        {
            var ids = instructions.HeldOut.Where(i => i.Family == family).Select(i => i.Id).ToHashSet();
            var b = before is null ? "" : $"before {before.Instructions.Where(ids.Contains).Accuracy,6:P0}  ";
            Console.WriteLine($"  {family,-10} {b}after {after.Instructions.Where(ids.Contains).Correct,3}/{ids.Count,-3} = {after.Instructions.Where(ids.Contains).Accuracy,6:P0}");
        }
        foreach (var relation in ReadingData.RelationKeys)
        {
            var result = after.Reading.Where(id => reading.HeldOut.First(i => i.Id == id).Instance.StartsWith($"reading#{relation}|", StringComparison.Ordinal));
            Console.WriteLine($"  reading/{relation,-8} {result.Correct,3}/{result.Total,-3} = {result.Accuracy,6:P0}");
        }
        foreach (var result in new[] { after.Instructions, after.Reading, after.Lookup })
            foreach (var row in result.Rows.Where(r => !r.Correct).Take(6))
                Console.WriteLine($"  wrong: {row.Prompt[(row.Prompt.IndexOf("<|user|>", StringComparison.Ordinal) + 8)..].Replace("<|end|><|assistant|>", "")} ⟶ {row.Answer.Replace("\n", "⏎")}   [{row.Expected}]");
        Console.WriteLine($"peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB · total {total.Elapsed.TotalSeconds:F0} s · saved to {Path.GetFullPath(output)}");
    }

    private sealed record Scores(TaskEvalResult Instructions, TaskEvalResult Reading, TaskEvalResult Lookup);

    private static Scores Evaluate(GptModel model, ITokenizer tokenizer, InstructionSet instructions, ReadingSet reading, string label) => new(
        SftRecipe.HeldOutAccuracy(model, tokenizer, instructions, $"{label}, held-out instructions"),
        SftRecipe.ReadingAccuracy(model, tokenizer, reading.HeldOut, $"{label}, held-out reading"),
        SftRecipe.LookupAccuracy(model, tokenizer, reading.LookupHeldOut, $"{label}, held-out lookup"));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
