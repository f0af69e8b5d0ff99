using System.Diagnostics;
using LlmCourse.Tokenization;

namespace LlmCourse.Bench;

/// <summary>BPE training time for a 2,048-id vocabulary on the whole corpus (goal: under 10 s on 2 cores).</summary>
public sealed class BpeBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "bpe-train";

    /// <inheritdoc />
    public string Description => "BPE training, 2,048 ids on the corpus: median of 5 runs [args: text-file vocab-size runs]";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        var (text, source) = BenchText.Load(args);
        var vocabulary = args.Length > 1 ? int.Parse(args[1]) : 2048;
        var runs = args.Length > 2 ? int.Parse(args[2]) : 5;
        Console.WriteLine($"text: {source} ({text.Length / 1e6:F2} M chars), vocabulary {vocabulary}, {Environment.ProcessorCount} cores");

        var count = Stopwatch.StartNew();
        var chunks = BpeTrainer.CountChunks(text, Specials.Course);
        Console.WriteLine($"pre-tokenization alone: {count.Elapsed.TotalSeconds:F2} s, {chunks.Values.Sum():N0} chunks, {chunks.Count:N0} distinct");

        var times = new List<double>();
        BytePairTokenizer? trained = null;
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            trained = BpeTrainer.Train(text, new BpeTrainingOptions(vocabulary));
            times.Add(clock.Elapsed.TotalSeconds);
            Console.WriteLine($"  run {run + 1}: {times[^1]:F2} s");
        }
        var ids = trained!.Encode(text).Length;
        Console.WriteLine($"median {BenchText.Median(times):F2} s (min {times.Min():F2}, max {times.Max():F2}); {trained}");
        Console.WriteLine($"compression: {ids:N0} tokens, {TextBytes.FromText(text).Length / (double)ids:F2} bytes per token");
    }
}
