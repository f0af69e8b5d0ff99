using System.Diagnostics;
using System.Globalization;
using LlmCourse.Model;
using LlmCourse.Native;
using LlmCourse.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// GPT-2 small (124M) with random weights: how long loading its safetensors file takes and how much memory it needs
/// (each load in a fresh child process), then greedy generation speed with and without the KV cache.
/// <c>dotnet run -c Release --project tools/LlmCourse.Bench -- gpt2-load [--loads 3] [--tokens 32] [--prompt 16] [--threads 2] [--dtype f32|bf16|f16] [--file model.safetensors]</c>
/// With <c>--file</c> pointing at the real <c>data/gpt2/model.safetensors</c> it measures that file instead of a random one.
/// </summary>
public sealed class Gpt2LoadBench : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "gpt2-load";

    /// <inheritdoc/>
    public string Description => "GPT-2 124M: safetensors load time and peak RSS (child process), generation tokens/s with and without KV cache";

    /// <inheritdoc/>
    public void Run(string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Option(string name, int fallback) => Text(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var threads = Option("threads", 2);
        if (args.Contains("--child"))
        {
            Gpt2LoadProbe.LoadAndReport(Text("file")!, threads);
            return;
        }

        Console.WriteLine(TorchRuntime.EnsureLoaded());
        torch.set_num_threads(threads);
        Console.WriteLine($"threads {threads}; load average at start: {LoadAverage()}");
        var folder = Directory.CreateTempSubdirectory("gpt2-load-bench-").FullName;
        try
        {
            var file = Text("file") ?? WriteRandomGpt2(folder, Text("dtype") ?? "f32");
            var loads = Enumerable.Range(0, Option("loads", 3)).Select(_ => Gpt2LoadProbe.MeasureInChild(file, threads)).ToList();
            var fileBytes = new FileInfo(file).Length;
            Console.WriteLine($"file: {fileBytes / 1e6:F0} MB; {loads[0].Parameters:N0} parameters ({loads[0].Parameters * 4 / 1e6:F0} MB as float32)");
            Console.WriteLine($"load (fresh process each): {Median(loads.Select(l => l.Seconds)):F2} s wall median (runs {string.Join(", ", loads.Select(l => l.Seconds.ToString("F2", CultureInfo.InvariantCulture)))}), " +
                              $"{Median(loads.Select(l => l.CpuSeconds)):F2} CPU-seconds median; " +
                              $"peak RSS {loads.Max(l => l.PeakRssBytes) / 1e9:F2} GB, of which {loads.Max(l => l.BaselineRssBytes) / 1e9:F2} GB runtime + LibTorch before the load " +
                              $"(growth {loads.Max(l => l.GrowthBytes) / 1e6:F0} MB)");
            MeasureGeneration(file, Option("prompt", 16), Option("tokens", 32));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    /// <summary>Writes GPT-2 small's shape with random weights (N(0, 0.02), as at initialisation) in GPT-2's layout.</summary>
    private static string WriteRandomGpt2(string folder, string dtype)
    {
        var clock = Stopwatch.StartNew();
        using var model = new GptModel(GptConfig.Gpt2Small, seed: 1);
        var storeAs = dtype switch { "bf16" => ScalarType.BFloat16, "f16" => ScalarType.Float16, _ => ScalarType.Float32 };
        var file = Path.Combine(folder, Gpt2Weights.FileName);
        Gpt2Weights.Save(model, file, storeAs);
        Console.WriteLine($"wrote a random GPT-2 124M file ({storeAs}) in {clock.Elapsed.TotalSeconds:F1} s");
        return file;
    }

    private static void MeasureGeneration(string file, int promptLength, int newTokens)
    {
        using var model = Gpt2Weights.Load(file);
        using var generator = new Generator(3);
        var prompt = torch.randint(0, model.Config.VocabSize, [1, promptLength], generator: generator, dtype: ScalarType.Int64).data<long>().ToArray();
        Greedy(model, prompt, 4, cached: true); // warm-up: allocator and kernels
        Greedy(model, prompt, 2, cached: false);
        var rounds = 3;
        var withCache = new List<double>();
        var without = new List<double>();
        List<long>? first = null;
        for (var r = 0; r < rounds; r++)
        {
            // Alternated, so both see the same share of the machine's other work.
            var (idsCached, secondsCached) = Greedy(model, prompt, newTokens, cached: true);
            var (idsPlain, secondsPlain) = Greedy(model, prompt, newTokens, cached: false);
            withCache.Add((newTokens - 1) / secondsCached);
            without.Add((newTokens - 1) / secondsPlain);
            first ??= idsCached;
            if (!idsCached.SequenceEqual(idsPlain))
                Console.WriteLine("warning: the cached and uncached continuations differ");
        }
        Console.WriteLine($"generation (prompt {promptLength}, {newTokens} new tokens, greedy; decode steps only; median of {rounds}): " +
                          $"KV cache {Median(withCache):F1} tokens/s, no cache {Median(without):F1} tokens/s, speed-up {Median(withCache) / Median(without):F1}×");
    }

    /// <summary>Greedy decoding; returns the new ids and the seconds spent after the first one (the decode steps).</summary>
    private static (List<long> Ids, double DecodeSeconds) Greedy(GptModel model, long[] prompt, int newTokens, bool cached)
    {
        using var noGrad = torch.no_grad();
        using var cache = cached ? model.CreateCache() : null;
        var sequence = prompt.ToList();
        var produced = new List<long>();
        var clock = new Stopwatch();
        for (var step = 0; step < newTokens; step++)
        {
            if (step == 1)
                clock.Start(); // step 0 is the prefill of the whole prompt
            using var scope = torch.NewDisposeScope();
            var input = cached && step > 0 ? sequence.TakeLast(1).ToArray() : sequence.ToArray();
            var ids = torch.tensor(input, dtype: ScalarType.Int64).unsqueeze(0);
            var logits = model.Run(ids, cache, lastPositionOnly: true).Logits;
            var next = logits[0, -1].argmax().item<long>();
            sequence.Add(next);
            produced.Add(next);
        }
        return (produced, clock.Elapsed.TotalSeconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
