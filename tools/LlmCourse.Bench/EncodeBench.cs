using System.Diagnostics;
using LlmCourse.Tokenization;
using Microsoft.ML.Tokenizers;

namespace LlmCourse.Bench;

/// <summary>
/// Encoding throughput of our GPT-2-mode encoder against Microsoft.ML.Tokenizers' Tiktoken gpt2 on the same text,
/// alternating who goes first each round (goal: ours at least 0.5× theirs).
/// </summary>
public sealed class EncodeBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "bpe-encode";

    /// <inheritdoc />
    public string Description => "GPT-2 encoding MB/s, ours vs Microsoft.ML.Tokenizers, alternated, medians [args: text-file rounds]";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        var (text, source) = BenchText.Load(args);
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 7;
        var megabytes = TextBytes.FromText(text).Length / 1e6;
        Console.WriteLine($"text: {source} ({megabytes:F2} MB UTF-8), {rounds} rounds, {Environment.ProcessorCount} cores");

        var load = Stopwatch.StartNew();
        var ours = BytePairTokenizer.Gpt2();
        var oursLoad = load.Elapsed.TotalSeconds;
        load.Restart();
        var theirs = TiktokenTokenizer.CreateForModel("gpt2");
        Console.WriteLine($"load: ours {oursLoad:F2} s, theirs {load.Elapsed.TotalSeconds:F2} s");

        var oursTimes = new List<double>();
        var theirsTimes = new List<double>();
        int[] oursIds = [];
        IReadOnlyList<int> theirsIds = [];
        for (var round = 0; round < rounds; round++)
        {
            // Alternate who goes first, so neither always runs on a warmer machine.
            if (round % 2 == 0)
            {
                oursTimes.Add(Time(() => oursIds = ours.Encode(text)));
                theirsTimes.Add(Time(() => theirsIds = theirs.EncodeToIds(text)));
            }
            else
            {
                theirsTimes.Add(Time(() => theirsIds = theirs.EncodeToIds(text)));
                oursTimes.Add(Time(() => oursIds = ours.Encode(text)));
            }
            Console.WriteLine($"  round {round + 1}: ours {megabytes / oursTimes[^1],6:F2} MB/s, theirs {megabytes / theirsTimes[^1],6:F2} MB/s");
        }
        Console.WriteLine($"identical ids: {oursIds.AsSpan().SequenceEqual(theirsIds.ToArray())} ({oursIds.Length:N0} tokens)");
        Console.WriteLine($"first round (cold caches): ours {megabytes / oursTimes[0]:F2} MB/s, theirs {megabytes / theirsTimes[0]:F2} MB/s, ratio {theirsTimes[0] / oursTimes[0]:F2}x");
        var oursMedian = BenchText.Median(oursTimes.Skip(1));
        var theirsMedian = BenchText.Median(theirsTimes.Skip(1));
        Console.WriteLine($"median of rounds 2..{rounds}: ours {megabytes / oursMedian:F2} MB/s, theirs {megabytes / theirsMedian:F2} MB/s, " +
                          $"ours/theirs throughput ratio {theirsMedian / oursMedian:F2}x (goal >= 0.5x)");
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
