using System.Diagnostics;
using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>One chunk of a long text read through the KV cache (<see cref="ContextCost.Stream"/>).</summary>
/// <param name="Position">Tokens read so far, this chunk included.</param>
/// <param name="KvBytes">Bytes of keys and values the cache holds afterwards.</param>
/// <param name="Milliseconds">Wall time of this chunk's forward pass (the fastest of the repeats).</param>
/// <param name="AttentionFlops">Attention FLOPs of this chunk by formula: each new token against the keys it may see.</param>
public sealed record ContextCostPoint(int Position, long KvBytes, double Milliseconds, long AttentionFlops);

/// <summary>
/// Measures what a long context costs: reads a text chunk by chunk through the KV cache, the way a chat or a long
/// generation does, and records after each chunk the cache's memory and the chunk's time. With full attention each
/// chunk compares its tokens with every earlier key (time per chunk grows, memory grows linearly); with a sliding
/// window both stop growing once the window is full.
/// </summary>
public static class ContextCost
{
    /// <summary>Streams <paramref name="ids"/> through <paramref name="model"/> in chunks of <paramref name="chunk"/> tokens, with the model's own window.</summary>
    /// <param name="model">The model (its <see cref="GptModel.SlidingWindow"/> decides full or windowed attention).</param>
    /// <param name="ids">The text's token ids.</param>
    /// <param name="chunk">Tokens per forward pass.</param>
    /// <param name="repeats">Stream this many times and keep each chunk's fastest time (timings on a busy machine are noisy).</param>
    /// <exception cref="ArgumentException">No ids, or a chunk or repeat count below 1.</exception>
    public static IReadOnlyList<ContextCostPoint> Stream(GptModel model, IReadOnlyList<int> ids, int chunk = 64, int repeats = 1)
    {
        if (ids.Count == 0)
            throw new ArgumentException("No token ids to stream: encode a text first.", nameof(ids));
        if (chunk < 1 || repeats < 1)
            throw new ArgumentOutOfRangeException(nameof(chunk), $"Chunk ({chunk}) and repeats ({repeats}) must be at least 1; a chunk of 64 tokens is a good start.");
        var best = new double[(ids.Count + chunk - 1) / chunk];
        Array.Fill(best, double.PositiveInfinity);
        var bytes = new long[best.Length];
        var wasTraining = model.training;
        model.eval();
        try
        {
            for (var r = 0; r < repeats; r++)
            {
                using var cache = model.CreateCache();
                for (var c = 0; c < best.Length; c++)
                {
                    using var scope = NewDisposeScope();
                    var start = c * chunk;
                    var input = tensor(ids.Skip(start).Take(chunk).Select(i => (long)i).ToArray()).unsqueeze(0);
                    var clock = Stopwatch.StartNew();
                    using (var output = model.Run(input, cache, lastPositionOnly: true))
                        _ = output.Logits.sum().item<float>(); // wait for the result, as a sampler would
                    best[c] = Math.Min(best[c], clock.Elapsed.TotalMilliseconds);
                    bytes[c] = cache.BytesInUse;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        var window = model.SlidingWindow;
        return best.Select((ms, c) =>
        {
            var end = Math.Min(ids.Count, (c + 1) * chunk);
            var flops = ContextExtension.AttentionFlops(model.Config, end, window) - ContextExtension.AttentionFlops(model.Config, c * chunk, window);
            return new ContextCostPoint(end, bytes[c], ms, flops);
        }).ToArray();
    }
}
