using System.Diagnostics;
using System.Globalization;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Native;
using LlmCourse.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>
/// GPT-2 small (124M) with random weights: how long loading its safetensors file takes and how much memory it needs
/// (each load in a fresh child process), then greedy generation speed with and without the KV cache.
/// <c>dotnet run -c Release --project tools/LlmCourse.Bench -- gpt2-load [--loads 3] [--tokens 32] [--prompt 16] [--threads 2] [--dtype f32|bf16|f16] [--file model.safetensors] [--thp]</c>
/// With <c>--file</c> pointing at the real <c>data/gpt2/model.safetensors</c> it measures that file instead of a random one;
/// <c>--thp</c> also measures loads with LibTorch's transparent-huge-page allocation switched on, alternated with plain ones.
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
            Gpt2LoadProbe.LoadAndReport(Text("file")!, threads, args.Contains("--thp"));
            return;
        }

        Console.WriteLine(TorchRuntime.EnsureLoaded());
        torch.set_num_threads(threads);
        Console.WriteLine($"threads {threads}; load average at start: {LoadAverage()}");
        var folder = Directory.CreateTempSubdirectory("gpt2-load-bench-").FullName;
        try
        {
            var file = Text("file") ?? WriteRandomGpt2(folder, Text("dtype") ?? "f32");
            var withHugePages = args.Contains("--thp");
            var loads = new List<Gpt2LoadMeasurement>();
            var hugeLoads = new List<Gpt2LoadMeasurement>();
            for (var i = 0; i < Option("loads", 3); i++)
            {
                loads.Add(Gpt2LoadProbe.MeasureInChild(file, threads));
                if (withHugePages)
                    hugeLoads.Add(Gpt2LoadProbe.MeasureInChild(file, threads, hugePages: true));
            }
            Console.WriteLine($"file: {new FileInfo(file).Length / 1e6:F0} MB; {loads[0].Parameters:N0} parameters ({loads[0].Parameters * 4 / 1e6:F0} MB as float32)");
            Report("load (fresh process each)", loads);
            if (withHugePages)
                Report("load with THP_MEM_ALLOC_ENABLE=1", hugeLoads);
            MeasureGeneration(file, Option("prompt", 16), Option("tokens", 32));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static void Report(string what, List<Gpt2LoadMeasurement> loads) =>
        Console.WriteLine($"{what}: {Median(loads.Select(l => l.Seconds)):F2} s wall median (runs {string.Join(", ", loads.Select(l => l.Seconds.ToString("F2", CultureInfo.InvariantCulture)))}), " +
                          $"{Median(loads.Select(l => l.CpuSeconds)):F2} CPU-seconds median; peak RSS {loads.Max(l => l.PeakRssBytes) / 1e9:F2} GB, " +
                          $"of which {loads.Max(l => l.BaselineRssBytes) / 1e9:F2} GB runtime + LibTorch before the load (growth {loads.Max(l => l.GrowthBytes) / 1e6:F0} MB)");

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
        var prompt = Enumerable.Range(0, promptLength).Select(i => (int)((i * 7919L + 13) % model.Config.VocabSize)).ToArray();
        var options = new GenerationOptions { MaxNewTokens = newTokens, Sampling = SamplingSettings.Greedy, OnWarning = _ => { } };
        TextGenerator.Generate(model, prompt, options with { MaxNewTokens = 4 }); // warm-up: allocator and kernels
        TextGenerator.Generate(model, prompt, options with { MaxNewTokens = 2, UseKvCache = false });
        const int rounds = 3;
        var withCache = new List<double>();
        var without = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            // Alternated, so both see the same share of the machine's other work.
            var cached = TextGenerator.Generate(model, prompt, options);
            var plain = TextGenerator.Generate(model, prompt, options with { UseKvCache = false });
            withCache.Add(cached.DecodeTokensPerSecond);
            without.Add(plain.DecodeTokensPerSecond);
            if (!cached.Generated.SequenceEqual(plain.Generated))
                Console.WriteLine("warning: the cached and uncached continuations differ");
        }
        Console.WriteLine($"generation (prompt {promptLength}, {newTokens} new tokens, greedy; decode steps only; median of {rounds}): " +
                          $"KV cache {Median(withCache):F1} tokens/s, no cache {Median(without):F1} tokens/s, speed-up {Median(withCache) / Median(without):F1}×");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
