using LlmCourse.Generation;
using LlmCourse.Model;

namespace LlmCourse.Bench;

/// <summary>Decode speed with and without the KV cache at two context lengths, alternated, medians.</summary>
public sealed class DecodeBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "decode";

    /// <inheritdoc />
    public string Description => "decode tokens/s with vs without the KV cache, CPU-default GPT, generating up to context 128 and 512; alternated runs, medians";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var repeats = args.Length > 0 && int.TryParse(args[0], out var r0) ? r0 : 3;
        BenchArgs.ApplyThreads(args);
        Console.WriteLine($"threads {TorchSharp.torch.get_num_threads()} · load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var context in new[] { 128, 512 })
        {
            using var model = new GptModel(GptConfig.CpuDefault(1024) with { ContextLength = context });
            var prompt = new[] { 1 };
            var options = new GenerationOptions { MaxNewTokens = context - 1, Sampling = SamplingSettings.Greedy, OnWarning = _ => { } };
            TextGenerator.Generate(model, prompt, options with { MaxNewTokens = 16 }); // warm-up
            var cached = new List<double>();
            var plain = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                cached.Add(TextGenerator.Generate(model, prompt, options).DecodeTokensPerSecond);
                plain.Add(TextGenerator.Generate(model, prompt, options with { UseKvCache = false }).DecodeTokensPerSecond);
            }
            double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            Console.WriteLine($"context {context}: KV cache {Median(cached):N0} tok/s · no cache {Median(plain):N0} tok/s · speed-up {Median(cached) / Median(plain):F1}x " +
                              $"(runs: {string.Join(", ", cached.Select(c => c.ToString("N0")))} vs {string.Join(", ", plain.Select(c => c.ToString("N0")))})");
        }
    }
}
