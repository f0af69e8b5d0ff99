using System.Diagnostics;
using System.Globalization;
using LlmCourse.Data;
using LlmCourse.Evaluation;
using LlmCourse.Levers;
using LlmCourse.Model;
using LlmCourse.Native;
using LlmCourse.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// The course's base checkpoint under each weight-only scheme: bytes of the Linear weights, held-out bits per character
/// (non-overlapping 128-token windows of the validation chapters, as data/README.md scores it) and time to quantize.
/// GPTQ and AWQ calibrate on windows of the training chapters. The embedding (which is also the tied head) stays float32.
/// <c>dotnet run -c Release --project tools/LlmCourse.Bench -- quant-base [--threads 2] [--chars 120000] [--calibration 32] [--passive]</c>
/// </summary>
public sealed class QuantBaseBench : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "quant-base";

    /// <inheritdoc/>
    public string Description => "base checkpoint: fp32 vs int8 vs int4 RTN/GPTQ/AWQ, held-out bits/char and weight bytes";

    /// <inheritdoc/>
    public void Run(string[] args)
    {
        int Option(string name, int fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        if (args.Contains("--passive"))
            NativeEnvironment.Set("OMP_WAIT_POLICY", "PASSIVE");
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(Option("threads", 2));
        var corpus = Corpus.Austen;
        var validation = corpus.Validation[..Math.Min(corpus.Validation.Length, Option("chars", Course.Pick(120_000, 20_000)))];
        var calibrationWindows = Option("calibration", Course.Pick(32, 8));

        using var probe = GptCheckpoint.Load(BaseRecipe.Folder).Model;
        var tokenizer = GptCheckpoint.Load(BaseRecipe.Folder).Tokenizer!;
        var context = probe.Config.ContextLength;
        // Calibration: windows spread evenly over the training chapters, in batches of 8.
        var trainIds = tokenizer.Encode(corpus.Train);
        var step = (trainIds.Length - context) / calibrationWindows;
        var windows = Enumerable.Range(0, calibrationWindows).Select(i => trainIds[(i * step)..(i * step + context)].Select(t => (long)t).ToArray()).ToList();
        var batches = windows.Chunk(8).Select(c => tensor(c.SelectMany(w => w).ToArray(), [c.Length, context])).ToList();
        var linearBytes = probe.modules().OfType<Linear>().Sum(l => l.weight!.numel() * 4);
        Console.WriteLine($"base checkpoint: {probe.modules().OfType<Linear>().Count()} Linear layers, {linearBytes:N0} bytes of fp32 weights; " +
                          $"validation slice {validation.Length:N0} chars; calibration {calibrationWindows} x {context} training tokens; threads {torch.get_num_threads()}");

        var options = new PerplexityOptions { Stride = context };
        var variants = new (string Name, Func<GptModel, Action, object?> Apply)[]
        {
            ("fp32", (_, _) => null),
            ("int8-channel-sym RTN", (m, _) => Quantizer.QuantizeLinears(m, QuantScheme.Int8PerChannel())),
            ("int4-g64-sym RTN", (m, _) => Quantizer.QuantizeLinears(m, QuantScheme.Int4Grouped(64))),
            ("int4-g64-sym GPTQ", (m, c) => CalibratedQuantizer.ApplyGptq(m, QuantScheme.Int4Grouped(64), c)),
            ("int4-g64-sym AWQ", (m, c) => CalibratedQuantizer.ApplyAwq(m, QuantScheme.Int4Grouped(64), c)),
            ("int4-g32-asym RTN", (m, _) => Quantizer.QuantizeLinears(m, QuantScheme.Int4Grouped(32, symmetric: false))),
            ("int4-g32-asym GPTQ", (m, c) => CalibratedQuantizer.ApplyGptq(m, QuantScheme.Int4Grouped(32, symmetric: false), c)),
            ("int4-g32-asym AWQ", (m, c) => CalibratedQuantizer.ApplyAwq(m, QuantScheme.Int4Grouped(32, symmetric: false), c)),
        };
        Console.WriteLine($"{"scheme",-24} {"Linear bytes",13} {"bits/char",10} {"vs fp32",8} {"quantize s",11}");
        double? reference = null;
        foreach (var (name, apply) in variants)
        {
            using var model = GptCheckpoint.Load(BaseRecipe.Folder).Model;
            var watch = Stopwatch.StartNew();
            apply(model, () => { foreach (var b in batches) model.forward(b); });
            var seconds = watch.Elapsed.TotalSeconds;
            var bytes = name == "fp32" ? linearBytes : Quantizer.QuantizedBytes(model);
            var bpc = Perplexity.Measure(model, tokenizer, validation, options).BitsPerCharacter;
            reference ??= bpc;
            Console.WriteLine($"{name,-24} {bytes,13:N0} {bpc,10:F4} {(bpc / reference.Value - 1) * 100,7:+0.00;-0.00}% {seconds,11:F1}");
        }
    }
}
