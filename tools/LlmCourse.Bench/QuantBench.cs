using System.Diagnostics;
using System.Globalization;
using LlmCourse;
using LlmCourse.Levers;
using LlmCourse.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Weight-only quantization on a GPT-2-sized MLP layer (768 → 3072): forward time of float32 vs int8 vs int4 layers
/// (which dequantize on the fly), and how long RTN, GPTQ and AWQ take to quantize it. Variants alternate inside each
/// round so machine noise hits them alike; medians of wall-clock time are printed, and of the CPU time the process
/// got, which says more on a shared machine.
/// <c>dotnet run -c Release --project tools/LlmCourse.Bench -- quant [--threads 2] [--rounds 15] [--passive]</c>
/// (<c>--passive</c> sets OMP_WAIT_POLICY=PASSIVE so idle OpenMP threads sleep instead of spinning.)
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
        int Option(string name, int fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        if (args.Contains("--passive"))
            NativeEnvironment.Set("OMP_WAIT_POLICY", "PASSIVE"); // read when OpenMP starts, so before LibTorch loads
        TorchRuntime.EnsureLoaded();
        var threads = Option("threads", 2);
        var rounds = Option("rounds", Course.Pick(15, 3));
        torch.set_num_threads(threads);
        const int inFeatures = 768, outFeatures = 3072, tokens = 256, calibrationRows = 2048;
        torch.manual_seed(Course.DefaultSeed);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        Console.WriteLine($"threads {threads}, {rounds} rounds, load average {load}, layer {inFeatures} -> {outFeatures}, input {tokens} tokens");

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
        Console.WriteLine($"{"forward, ms per call (wall / cpu)",-48} {$"{tokens} tokens",17} {"1 token",17} {"weight bytes",13}");
        for (var i = 0; i < forward.Length; i++)
            Console.WriteLine($"{forward[i].Name,-48} {Per(times[2 * i], 5),17} {Per(times[2 * i + 1], 5),17} {forward[i].Bytes,13:N0}");

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
        // Timed: the quantization only. The held-out error (two 4.8 GFLOP matmuls) is measured afterwards.
        Tensor? rtnWeight = null, gptqWeight = null, awqWeight = null;
        void Keep(ref Tensor? slot, Tensor value) { slot?.Dispose(); slot = value.DetachFromDisposeScope(); }
        var quantize = Alternate(Math.Max(1, rounds / 3), [
            () => { using var scope = NewDisposeScope(); using var q = QuantizedTensor.Quantize(linear.weight!, scheme); Keep(ref rtnWeight, q.Dequantize()); },
            () => { using var scope = NewDisposeScope(); using var q = Gptq.Quantize(linear.weight!, hessian, scheme); Keep(ref gptqWeight, q.Dequantize()); },
            () =>
            {
                using var scope = NewDisposeScope();
                var a = Awq.Quantize(linear.weight!, stats.MeanAbs(), stats.SampleInputs(), scheme);
                Keep(ref awqWeight, a.Weight.Dequantize() * a.InputScale);
            },
        ]);
        var (rtnError, gptqError, awqError) = (Error(heldOut, linear.weight!, rtnWeight!), Error(heldOut, linear.weight!, gptqWeight!), Error(heldOut, linear.weight!, awqWeight!));
        Console.WriteLine();
        Console.WriteLine($"{"quantize " + scheme + ", ms (wall / cpu)",-48} {"",17} {"held-out output MSE",20}");
        Console.WriteLine($"{"round-to-nearest",-48} {Per(quantize[0], 1),17} {rtnError,20:E3}");
        Console.WriteLine($"{"GPTQ (block 128, given H)",-48} {Per(quantize[1], 1),17} {gptqError,20:E3}");
        Console.WriteLine($"{"AWQ (20-point alpha grid, 1024 rows)",-48} {Per(quantize[2], 1),17} {awqError,20:E3}");
        Console.WriteLine($"{"(H = 2XtX over " + calibrationRows + " rows, once)",-48} {Per(hessianMs, 1),17}");
    }

    private static double Error(Tensor x, Tensor weight, Tensor quantized)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return (x.mm(weight.t()) - x.mm(quantized.t())).pow(2).mean().item<float>();
    }

    private static string Per((double Wall, double Cpu) ms, int calls) => $"{ms.Wall / calls,7:F2} / {ms.Cpu / calls,7:F2}";

    /// <summary>Runs every action once per round, in order, and returns each one's median wall and CPU milliseconds.</summary>
    private static (double Wall, double Cpu)[] Alternate(int rounds, Action[] actions)
    {
        foreach (var a in actions) a(); // warm-up: JIT, allocator, oneDNN kernels
        var samples = actions.Select(_ => new List<(double Wall, double Cpu)>()).ToArray();
        for (var round = 0; round < rounds; round++)
            for (var i = 0; i < actions.Length; i++)
                samples[i].Add(Time(actions[i]));
        return samples.Select(s => (Median(s.Select(t => t.Wall).ToList()), Median(s.Select(t => t.Cpu).ToList()))).ToArray();
    }

    private static (double Wall, double Cpu) Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        process.Refresh();
        return (watch.Elapsed.TotalMilliseconds, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
