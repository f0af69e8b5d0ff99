using System.Diagnostics;
using LlmCourse;
using LlmCourse.Levers;
using LlmCourse.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Weight-only quantization on a GPT-2-sized MLP layer (768 → 3072): forward time of float32 vs int8 vs int4 layers
/// (which dequantize on the fly), and how long RTN, GPTQ and AWQ take to quantize it. Variants alternate inside each
/// round so machine noise hits them alike; medians are printed.
/// </summary>
public sealed class QuantBench : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "quant";

    /// <inheritdoc/>
    public string Description => "fp32 vs int8 vs int4 Linear forward (768x3072), and RTN vs GPTQ vs AWQ quantization time";

    /// <inheritdoc/>
    public void Run(string[] args)
    {
        TorchRuntime.EnsureLoaded();
        var rounds = args.Length > 0 && int.TryParse(args[0], out var r) ? r : Course.Pick(15, 3);
        const int inFeatures = 768, outFeatures = 3072, tokens = 256, calibrationRows = 2048;
        torch.manual_seed(Course.DefaultSeed);
        Console.WriteLine($"threads {torch.get_num_threads()}, {rounds} rounds, layer {inFeatures} -> {outFeatures}, input {tokens} tokens");

        var linear = nn.Linear(inFeatures, outFeatures);
        var int8 = QuantizedLinear.FromLinear(linear, QuantScheme.Int8PerChannel());
        var int4 = QuantizedLinear.FromLinear(linear, QuantScheme.Int4Grouped(128));
        var x = randn(tokens, inFeatures);
        var forward = new (string Name, Func<Tensor, Tensor> Run, long Bytes)[]
        {
            ("fp32 Linear", linear.forward, 4L * inFeatures * outFeatures),
            ($"{int8.Scheme} (dequant + fp32 mm)", int8.forward, int8.Weight.StorageBytes),
            ($"{int4.Scheme} (unpack + dequant + fp32 mm)", int4.forward, int4.Weight.StorageBytes),
        };
        // A prompt-sized batch (compute-bound matmul) and one decoding token (memory-bound: the weights are read once).
        var token = randn(1, inFeatures);
        var times = Alternate(rounds, forward.SelectMany(f => new[] { x, token }.Select(input => (Action)(() =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            for (var i = 0; i < 5; i++) f.Run(input);
        }))).ToArray());
        Console.WriteLine($"{"forward (median of 5 calls per round)",-48} {$"{tokens} tok ms",10} {"1 tok ms",9} {"weight bytes",13}");
        for (var i = 0; i < forward.Length; i++)
            Console.WriteLine($"{forward[i].Name,-48} {times[2 * i] / 5,10:F2} {times[2 * i + 1] / 5,9:F3} {forward[i].Bytes,13:N0}");

        // Activations shaped like a transformer's: correlated channels (a 64-dim signal plus noise), magnitudes that vary
        // per channel, and a few loud channels. (On i.i.d. inputs H is diagonal up to sampling noise, GPTQ has nothing to
        // exploit and only fits that noise: it then loses to RTN on held-out rows.)
        var structure = new Generator(7);
        var mixing = randn(64, inFeatures, generator: structure) / 8;
        var magnitude = (randn(inFeatures, generator: structure) * 0.5).exp().index_fill_(0, tensor(new long[] { 10, 200, 500 }), 20);
        Tensor Activations(int rows) => (randn(rows, 64).mm(mixing) + randn(rows, inFeatures) * 0.3) * magnitude;
        var calibration = Activations(calibrationRows);
        var heldOut = Activations(1024);
        var stats = new CalibrationStats(inFeatures, maxSampleRows: 1024);
        var hessianMs = Time(() => stats.Add(calibration));
        var scheme = QuantScheme.Int4Grouped(128);
        using var hessian = stats.Hessian();
        double rtnError = 0, gptqError = 0, awqError = 0;
        var quantize = Alternate(Math.Max(1, rounds / 5), [
            () => { using var q = QuantizedTensor.Quantize(linear.weight!, scheme); rtnError = Error(heldOut, linear.weight!, q.Dequantize()); },
            () => { using var q = Gptq.Quantize(linear.weight!, hessian, scheme); gptqError = Error(heldOut, linear.weight!, q.Dequantize()); },
            () =>
            {
                using var scope = NewDisposeScope();
                var a = Awq.Quantize(linear.weight!, stats.MeanAbs(), stats.SampleInputs(), scheme);
                awqError = Error(heldOut, linear.weight!, a.Weight.Dequantize() * a.InputScale);
            },
        ]);
        Console.WriteLine();
        Console.WriteLine($"{"quantize " + scheme,-48} {"ms",8} {"held-out output MSE",20}");
        Console.WriteLine($"{"round-to-nearest",-48} {quantize[0],8:F1} {rtnError,20:E3}");
        Console.WriteLine($"{"GPTQ (block 128, given H)",-48} {quantize[1],8:F1} {gptqError,20:E3}");
        Console.WriteLine($"{"AWQ (20-point alpha grid, 1024 rows)",-48} {quantize[2],8:F1} {awqError,20:E3}");
        Console.WriteLine($"{"(H = 2XtX over " + calibrationRows + " rows, once)",-48} {hessianMs,8:F1}");
    }

    private static double Error(Tensor x, Tensor weight, Tensor quantized)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return (x.mm(weight.t()) - x.mm(quantized.t())).pow(2).mean().item<float>();
    }

    /// <summary>Runs every action once per round, in order, and returns each one's median time in milliseconds.</summary>
    private static double[] Alternate(int rounds, Action[] actions)
    {
        foreach (var a in actions) a(); // warm-up: JIT, allocator, oneDNN kernels
        var samples = actions.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < actions.Length; i++)
                samples[i].Add(Time(actions[i]));
        return samples.Select(Median).ToArray();
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
