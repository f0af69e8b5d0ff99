using System.Diagnostics;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// The inference loop: ids → model → logits → sampler → next id → append, until a stop token or the token budget.
/// With the KV cache (the default) the prompt is read in one forward pass (prefill) and every later step feeds only
/// the newest token; without it every step re-reads the whole window, which is slower by a factor that grows with
/// the length and gives the same tokens.
/// </summary>
/// <remarks>
/// The context policy, the same with and without the cache: a prompt longer than the model's context keeps its last
/// <c>ContextLength − 1</c> tokens (a warning says how many were dropped), leaving room for one new token inside the
/// window. When the text grows past the context, the window slides: without the cache each step reads the last
/// <c>ContextLength</c> tokens; with it, the cache is rebuilt from the last half context whenever it is full, so
/// decoding stays cheap (and, past that point, the two paths differ slightly: the cached one sees less context).
/// <para>A RoPE model with a sliding window no longer than its context (<see cref="GptModel.SlidingWindow"/>) never
/// meets a distance it was not trained on, so it streams: the prompt is not cropped (it is prefilled in chunks of the
/// context length), the cache evicts old entries itself and is never rebuilt, and both paths give the same tokens at
/// any length, with the cache holding at most the window.</para>
/// </remarks>
public static class TextGenerator
{
    /// <summary>Continues <paramref name="prompt"/> (token ids) and calls <paramref name="onToken"/> with each new id as it is chosen.</summary>
    /// <exception cref="ArgumentException">The prompt is empty or holds ids outside the vocabulary.</exception>
    public static GenerationResult Generate(GptModel model, IReadOnlyList<int> prompt, GenerationOptions options, Action<int>? onToken = null)
    {
        if (prompt.Count == 0)
            throw new ArgumentException("The prompt is empty: give at least one token (for example the tokenizer's <|endoftext|> id) to start from.", nameof(prompt));
        if (options.MaxNewTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxNewTokens = {options.MaxNewTokens}: use 0 or more.");
        var context = model.Config.ContextLength;
        var warnings = new List<string>();
        void Warn(string message)
        {
            warnings.Add(message);
            (options.OnWarning ?? (m => Console.Error.WriteLine("warning: " + m)))(message);
        }

        var streams = model.Config.Positions == PositionKind.Rope && model.Config.SlidingWindow is { } window && window <= context;
        var cropped = streams ? 0 : Math.Max(0, prompt.Count - (context - 1));
        if (cropped > 0)
            Warn($"The prompt has {prompt.Count} tokens but the model reads at most {context}: its first {cropped} tokens were dropped (kept the last {context - 1}).");
        var sequence = prompt.Skip(cropped).ToList();
        var promptUsed = sequence.ToArray();
        var generated = new List<int>();
        var logitsLog = new List<float[]>();
        int? stoppedBy = null;
        var stopTokens = options.StopTokens.ToHashSet();

        var wasTraining = model.training;
        model.eval();
        using var sampler = new TokenSampler(options.Sampling);
        using var cache = options.UseKvCache ? model.CreateCache() : null;
        using var noGrad = no_grad();
        var prefillClock = Stopwatch.StartNew();
        var decodeClock = new Stopwatch();
        var decodeSteps = 0;
        var slid = false;
        try
        {
            var logits = Prefill(model, sequence, cache, context);
            prefillClock.Stop();
            while (generated.Count < options.MaxNewTokens)
            {
                if (options.RecordLogits)
                    logitsLog.Add(logits.data<float>().ToArray());
                var next = sampler.Next(logits);
                logits.Dispose();
                if (stopTokens.Contains(next))
                {
                    stoppedBy = next;
                    break;
                }
                sequence.Add(next);
                generated.Add(next);
                onToken?.Invoke(next);
                if (generated.Count == options.MaxNewTokens)
                    break;

                decodeClock.Start();
                if (cache is not null && !streams && cache.Length >= context)
                {
                    if (!slid)
                        Warn($"The text reached the context length ({context} tokens): from here on the model sees a sliding window of recent tokens.");
                    slid = true;
                    cache.Reset();
                    logits = Forward(model, sequence.Skip(sequence.Count - context / 2).ToList(), cache);
                }
                else if (cache is not null)
                {
                    logits = Forward(model, [next], cache);
                }
                else
                {
                    if (sequence.Count > context && !slid && !streams)
                    {
                        Warn($"The text reached the context length ({context} tokens): from here on the model sees a sliding window of recent tokens.");
                        slid = true;
                    }
                    logits = Forward(model, sequence.Skip(Math.Max(0, sequence.Count - context)).ToList(), null);
                }
                decodeClock.Stop();
                decodeSteps++;
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new GenerationResult(promptUsed, generated, stoppedBy, cropped, prefillClock.Elapsed, decodeClock.Elapsed, decodeSteps, logitsLog, warnings);
    }

    /// <summary>
    /// Continues a text prompt and returns the new text. <paramref name="onText"/> receives the text as it grows,
    /// piece by piece (held back while a token ends inside a multi-byte character).
    /// </summary>
    public static string Complete(GptModel model, ITokenizer tokenizer, string prompt, GenerationOptions options, Action<string>? onText = null)
    {
        var ids = tokenizer.Encode(prompt);
        var newIds = new List<int>();
        var shown = 0;
        var result = Generate(model, ids, options, id =>
        {
            if (onText is null)
                return;
            newIds.Add(id);
            var text = tokenizer.Decode(newIds);
            if (text.EndsWith('\uFFFD') || text.Length <= shown)
                return; // an incomplete UTF-8 character: wait for the rest
            onText(text[shown..]);
            shown = text.Length;
        });
        return tokenizer.Decode(result.Generated);
    }

    /// <summary>
    /// The first pass: with a cache, the prompt in chunks of at most <paramref name="context"/> tokens (one chunk unless
    /// the model streams); without, its last <paramref name="context"/> tokens. Returns the last position's logits.
    /// </summary>
    private static Tensor Prefill(GptModel model, IReadOnlyList<int> ids, KvCache? cache, int context)
    {
        if (cache is null)
            return Forward(model, ids.Skip(Math.Max(0, ids.Count - context)).ToList(), null);
        var start = 0;
        for (; ids.Count - start > context; start += context)
            Forward(model, ids.Skip(start).Take(context).ToList(), cache).Dispose();
        return Forward(model, ids.Skip(start).ToList(), cache);
    }

    /// <summary>One forward pass over <paramref name="ids"/>; returns the last position's logits [vocab] (float32, CPU).</summary>
    private static Tensor Forward(GptModel model, IReadOnlyList<int> ids, KvCache? cache)
    {
        // Few tensor operations per step: with the cache a decode step is so small that each one's fixed cost shows.
        // Inference mode skips autograd's bookkeeping (version counters, views' metadata), a few percent per step; the
        // tensors it makes cannot join autograd later, and none outlives the step except these logits, only read.
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]);
        using var output = model.Run(input, cache, lastPositionOnly: true);
        var logits = output.Logits.reshape(-1); // [1, 1, vocab] → [vocab]
        return (logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}
