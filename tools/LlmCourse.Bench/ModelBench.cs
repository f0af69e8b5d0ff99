using System.Diagnostics;
using System.Globalization;
using LlmCourse.Model;
using LlmCourse.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// Training throughput of the course's CPU model: forward + backward + AdamW, explicit attention and SDPA alternated
/// in one run (medians), achieved GFLOP/s against this machine's fp32 matmul peak measured between the rounds, and
/// peak RSS. On a shared machine wall-clock ratios swing with other people's work, so the bench also divides FLOPs by
/// the CPU time this process actually got (for the training steps and for the matmul probe alike).
/// <c>dotnet run -c Release --project tools/LlmCourse.Bench -- model [--threads 2] [--rounds 5] [--steps 6] [--batch 16] [--context 128] [--vocab 96] [--passive]</c>
/// (<c>--passive</c> sets OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning, kinder to a busy machine.)
/// </summary>
public sealed class ModelBench : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "model";

    /// <inheritdoc/>
    public string Description => "GPT training tokens/s (explicit vs SDPA, alternated), GFLOP/s vs fp32 matmul peak, peak RSS";

    /// <inheritdoc/>
    public void Run(string[] args)
    {
        int Option(string name, int fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }
        var threads = Option("threads", 2);
        var rounds = Option("rounds", 5);
        var steps = Option("steps", 6);
        var batch = Option("batch", 16);
        var config = GptConfig.CpuDefault(Option("vocab", 96)) with { ContextLength = Option("context", 128) };

        if (args.Contains("--passive"))
            NativeEnvironment.Set("OMP_WAIT_POLICY", "PASSIVE"); // read when OpenMP starts, so before LibTorch loads
        Console.WriteLine(TorchRuntime.EnsureLoaded());
        torch.set_num_threads(threads);
        Console.WriteLine($"load average at start: {LoadAverage()}");
        Console.WriteLine($"threads {threads}; config: {config.Layers} layers, width {config.Width}, {config.Heads} heads, context {config.ContextLength}, " +
                          $"vocab {config.VocabSize}, {config.Positions}, batch {batch}; {config.ParameterCount():N0} parameters; " +
                          $"{config.TrainingFlopsPerToken() / 1e6:F1} MFLOP per trained token");

        using var model = new GptModel(config);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 3e-4);
        using var generator = new Generator(1);
        using var ids = torch.randint(0, config.VocabSize, [batch, config.ContextLength], generator: generator, dtype: ScalarType.Int64);
        using var targets = ids.roll(-1, 1);
        (double Wall, double Cpu) TrainStep()
        {
            var cpu = CpuSeconds();
            var clock = Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = model.Loss(ids, targets);
            loss.backward();
            optimizer.step();
            return (clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
        }

        // SDPA alone first, so its peak RSS is not hidden by the explicit path's larger score tensors.
        model.AttentionKernel = AttentionKernel.Sdpa;
        for (var i = 0; i < 3; i++)
            TrainStep();
        var sdpaPeakRss = ProcessMemory.PeakRssBytes();

        var times = new Dictionary<AttentionKernel, List<(double Wall, double Cpu)>> { [AttentionKernel.Explicit] = [], [AttentionKernel.Sdpa] = [] };
        var peaks = new List<(double Wall, double Cpu)> { MatmulPeak.Measure() };
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order too, so neither kernel always runs right after the matmul probe.
            var order = round % 2 == 0 ? new[] { AttentionKernel.Explicit, AttentionKernel.Sdpa } : [AttentionKernel.Sdpa, AttentionKernel.Explicit];
            foreach (var kernel in order)
            {
                model.AttentionKernel = kernel;
                TrainStep(); // first step after a switch: allocator warm-up, not counted
                for (var s = 0; s < steps; s++)
                    times[kernel].Add(TrainStep());
            }
            peaks.Add(MatmulPeak.Measure());
        }

        var tokens = (double)batch * config.ContextLength;
        var flopsPerStep = tokens * config.TrainingFlopsPerToken();
        var peakWall = Median(peaks.Select(p => p.Wall).ToList());
        var peakCpu = Median(peaks.Select(p => p.Cpu).ToList());
        Console.WriteLine($"fp32 matmul peak (best of 10 × 1024³ mm; median of {peaks.Count} probes between rounds): {peakWall:F0} GFLOP/s wall " +
                          $"(range {peaks.Min(p => p.Wall):F0}–{peaks.Max(p => p.Wall):F0}); {peakCpu:F0} GFLOP per CPU-second");
        foreach (var (kernel, list) in times)
        {
            var wall = Median(list.Select(t => t.Wall).ToList());
            var cpu = Median(list.Select(t => t.Cpu).ToList());
            var gflops = flopsPerStep / wall / 1e9;
            var gflopsPerCpu = flopsPerStep / cpu / 1e9;
            Console.WriteLine($"{kernel,-9} {wall * 1000,6:F0} ms/step (median of {list.Count}; range {list.Min(t => t.Wall) * 1000:F0}–{list.Max(t => t.Wall) * 1000:F0}) " +
                              $"{tokens / wall,6:F0} tokens/s  {gflops,5:F1} GFLOP/s = {100 * gflops / peakWall:F0}% of peak;  " +
                              $"per CPU-second: {gflopsPerCpu:F1} GFLOP = {100 * gflopsPerCpu / peakCpu:F0}% of the probe's; cores used {cpu / wall:F2}");
        }
        Console.WriteLine($"speed-up SDPA vs explicit: {Median(times[AttentionKernel.Explicit].Select(t => t.Wall).ToList()) / Median(times[AttentionKernel.Sdpa].Select(t => t.Wall).ToList()):F2}×");
        Console.WriteLine($"peak RSS: {sdpaPeakRss / 1e9:F2} GB after SDPA only; {ProcessMemory.PeakRssBytes() / 1e9:F2} GB after the explicit rounds too");
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>The machine's fp32 matrix-multiply speed, the ceiling for a model made of matrix multiplies.</summary>
internal static class MatmulPeak
{
    /// <summary>
    /// Best of <paramref name="repeats"/> n×n·n×n products in GFLOP/s (2n³ FLOPs each), and all of them divided by the
    /// CPU time the process used for them.
    /// </summary>
    public static (double Wall, double Cpu) Measure(int n = 1024, int repeats = 10)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(2);
        var a = torch.randn([n, n], generator: generator);
        var b = torch.randn([n, n], generator: generator);
        a.mm(b).Dispose(); // warm-up
        var best = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime.TotalSeconds;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            a.mm(b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        process.Refresh();
        var cpu = process.TotalProcessorTime.TotalSeconds - cpuBefore;
        var flops = 2.0 * n * n * n;
        return (flops / best / 1e9, flops * repeats / cpu / 1e9);
    }
}

/// <summary>Resident memory of this process, from /proc (Linux); the .NET working-set numbers elsewhere.</summary>
internal static class ProcessMemory
{
    /// <summary>The peak resident set size in bytes (VmHWM).</summary>
    public static long PeakRssBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
