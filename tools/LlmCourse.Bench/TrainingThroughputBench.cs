using System.Diagnostics;
using LlmCourse.Model;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Bench;

/// <summary>Training throughput of the course's CPU-default GPT (batch 16, context 128) and the process's peak RSS.</summary>
public sealed class TrainingThroughputBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "train-throughput";

    /// <inheritdoc />
    public string Description => "tokens/s of training steps of the CPU-default GPT (vocab 1024, batch 16); median of timed steps; peak RSS";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        var steps = args.Length > 0 ? int.Parse(args[0]) : 30;
        var random = new Random(1);
        var stream = Enumerable.Range(0, 200_000).Select(_ => random.Next(1024)).ToArray();
        using var model = new GptModel(GptConfig.CpuDefault(1024));
        var settings = new TrainingSettings { Steps = steps + 5, WarmupSteps = 5, BatchSize = 16, EvalEvery = 0, EvalWindows = 1 };
        using var trainer = new Trainer(model, stream, stream[..10_000], settings);
        for (var i = 0; i < 5; i++)
            trainer.TrainStep(); // warm-up: allocator pools, oneDNN kernels
        var times = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            trainer.TrainStep();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine($"threads {get_num_threads()} · params {model.ParameterCount:N0} · {steps} steps");
        Console.WriteLine($"step median {median * 1000:F0} ms (min {times[0] * 1000:F0}, max {times[^1] * 1000:F0})");
        Console.WriteLine($"training tokens/s (median step): {trainer.TokensPerStep / median:N0}");
        Console.WriteLine($"peak RSS: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB");
    }
}
