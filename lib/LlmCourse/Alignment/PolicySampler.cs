using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>One sampled response.</summary>
/// <param name="Tokens">The response's ids, ending with the stop token when <paramref name="Finished"/>.</param>
/// <param name="Finished">True when the model wrote the stop token within the budget; false when it was cut off.</param>
public sealed record SampledResponse(int[] Tokens, bool Finished)
{
    /// <summary>Tokens before the stop token: the answer's length as a reader sees it.</summary>
    public int ContentLength => Finished ? Tokens.Length - 1 : Tokens.Length;
}

/// <summary>
/// Draws several responses to one prompt at once: the prompt is copied into a batch of <c>count</c> rows, read once
/// (prefill) and then extended one token per step for every row together with the KV cache. RLOO needs k samples
/// of every prompt; one batched pass is several times faster than k separate generations. <see cref="SampleMany"/>
/// goes further and puts several prompts of the same length into one batch (no padding needed, so nothing changes
/// for any row): at this model size a step costs about the same for 8 rows as for 256.
/// </summary>
public static class PolicySampler
{
    /// <summary>Samples <paramref name="count"/> responses to <paramref name="prompt"/> at <paramref name="temperature"/>.</summary>
    /// <param name="model">The policy.</param>
    /// <param name="prompt">The prompt's ids (ending where the answer starts).</param>
    /// <param name="count">How many responses.</param>
    /// <param name="maxNewTokens">Budget per response; a response that has not stopped by then is cut off (Finished = false).</param>
    /// <param name="stopId">The id that ends a response (the chat template's end token).</param>
    /// <param name="temperature">Sampling temperature (&gt; 0; 1 = the model's own distribution).</param>
    /// <param name="generator">The random generator (seed it for reproducible samples).</param>
    /// <exception cref="ArgumentException">An empty prompt, count or budget below 1, temperature not positive, or prompt + budget longer than the context.</exception>
    public static IReadOnlyList<SampledResponse> Sample(GptModel model, int[] prompt, int count, int maxNewTokens, int stopId, double temperature, Generator generator)
    {
        Check(model, [prompt], count, maxNewTokens, temperature);
        return SampleRows(model, Enumerable.Repeat(prompt, count).ToArray(), maxNewTokens, stopId, temperature, generator);
    }

    /// <summary>
    /// Samples <paramref name="count"/> responses to every prompt, batching prompts of equal length together (at most
    /// <paramref name="maxRows"/> rows per batch). The random draws are shared out differently from calling
    /// <see cref="Sample"/> once per prompt, so the responses differ from those; the same seed gives the same ones every time.
    /// </summary>
    /// <param name="model">The policy.</param>
    /// <param name="prompts">The prompts' ids.</param>
    /// <param name="count">Responses per prompt.</param>
    /// <param name="maxNewTokens">Budget per response.</param>
    /// <param name="stopId">The end token.</param>
    /// <param name="temperature">Sampling temperature (&gt; 0).</param>
    /// <param name="generator">The random generator.</param>
    /// <param name="maxRows">Rows per forward pass (prompts × count); bounds memory.</param>
    /// <returns>For each prompt, in the order given, its <paramref name="count"/> responses.</returns>
    /// <exception cref="ArgumentException">As <see cref="Sample"/>, for any prompt; or maxRows below count.</exception>
    public static IReadOnlyList<IReadOnlyList<SampledResponse>> SampleMany(GptModel model, IReadOnlyList<int[]> prompts, int count, int maxNewTokens, int stopId,
        double temperature, Generator generator, int maxRows = 256)
    {
        Check(model, prompts, count, maxNewTokens, temperature);
        if (maxRows < count)
            throw new ArgumentException($"maxRows ({maxRows}) is below count ({count}): one prompt's responses must fit one batch.", nameof(maxRows));
        var result = new IReadOnlyList<SampledResponse>[prompts.Count];
        var perBatch = maxRows / count;
        foreach (var group in Enumerable.Range(0, prompts.Count).GroupBy(i => prompts[i].Length))
            foreach (var chunk in group.Chunk(perBatch))
            {
                var responses = SampleRows(model, chunk.SelectMany(i => Enumerable.Repeat(prompts[i], count)).ToArray(), maxNewTokens, stopId, temperature, generator);
                for (var j = 0; j < chunk.Length; j++)
                    result[chunk[j]] = responses.Skip(j * count).Take(count).ToArray();
            }
        return result;
    }

    /// <summary>
    /// The greedy answer (the most likely token at every step) to every prompt, prompts of equal length batched
    /// together: what an evaluation asks of each model, many times faster than one prompt at a time. Up to rounding
    /// in the batched matrix products, the same tokens as greedy decoding of each prompt alone.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="prompts">The prompts' ids.</param>
    /// <param name="maxNewTokens">Budget per answer.</param>
    /// <param name="stopId">The end token.</param>
    /// <param name="maxRows">Prompts per forward pass; bounds memory.</param>
    /// <returns>One answer per prompt, in the order given.</returns>
    /// <exception cref="ArgumentException">An empty prompt, a budget below 1, a prompt plus the budget longer than the context, or maxRows below 1.</exception>
    public static IReadOnlyList<SampledResponse> GreedyMany(GptModel model, IReadOnlyList<int[]> prompts, int maxNewTokens, int stopId, int maxRows = 256)
    {
        Check(model, prompts, 1, maxNewTokens, 1);
        if (maxRows < 1)
            throw new ArgumentException($"maxRows ({maxRows}) must be at least 1.", nameof(maxRows));
        var result = new SampledResponse[prompts.Count];
        foreach (var group in Enumerable.Range(0, prompts.Count).GroupBy(i => prompts[i].Length))
            foreach (var chunk in group.Chunk(maxRows))
            {
                var responses = SampleRows(model, chunk.Select(i => prompts[i]).ToArray(), maxNewTokens, stopId, temperature: 0, generator: null);
                for (var j = 0; j < chunk.Length; j++)
                    result[chunk[j]] = responses[j];
            }
        return result;
    }

    /// <summary>One response per row; every row's prompt has the same length. Temperature 0 = greedy (no generator needed).</summary>
    private static IReadOnlyList<SampledResponse> SampleRows(GptModel model, int[][] rowPrompts, int maxNewTokens, int stopId, double temperature, Generator? generator)
    {
        var count = rowPrompts.Length;
        var width = rowPrompts[0].Length;
        var tokens = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var finished = new bool[count];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var cache = model.CreateCache();
            using var promptIds = tensor(rowPrompts.SelectMany(p => p).Select(i => (long)i).ToArray(), [count, width]);
            var logits = model.Run(promptIds, cache, lastPositionOnly: true).Logits;   // [count, 1, vocab]
            try
            {
                for (var step = 0; step < maxNewTokens; step++)
                {
                    using var scope = NewDisposeScope();
                    var last = logits.select(1, -1);                                        // [count, vocab]
                    var next = temperature == 0 ? last.argmax(-1, keepdim: true)           // [count, 1]
                        : (last / temperature).softmax(-1).multinomial(1, generator: generator);
                    var drawn = next.data<long>().ToArray();
                    for (var row = 0; row < count; row++)
                    {
                        if (finished[row])
                            continue;
                        tokens[row].Add((int)drawn[row]);
                        finished[row] = drawn[row] == stopId;
                    }
                    if (finished.All(f => f) || step == maxNewTokens - 1)
                        break;
                    logits.Dispose();
                    logits = model.Run(next, cache, lastPositionOnly: true).Logits.MoveToOuterDisposeScope();
                }
            }
            finally
            {
                logits.Dispose();
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return tokens.Select((t, row) => new SampledResponse([.. t], finished[row])).ToArray();
    }

    private static void Check(GptModel model, IReadOnlyList<int[]> prompts, int count, int maxNewTokens, double temperature)
    {
        if (count < 1 || maxNewTokens < 1)
            throw new ArgumentException($"count ({count}) and maxNewTokens ({maxNewTokens}) must be at least 1.");
        if (!(temperature > 0))
            throw new ArgumentException($"Temperature {temperature}: sampling needs a temperature above 0 (RLOO learns from the spread of its samples; greedy samples are all alike).", nameof(temperature));
        foreach (var prompt in prompts)
        {
            if (prompt is null || prompt.Length == 0)
                throw new ArgumentException("A prompt is empty: give the chat template's prompt ids.", nameof(prompts));
            if (prompt.Length + maxNewTokens > model.Config.ContextLength)
                throw new ArgumentException($"The prompt ({prompt.Length} tokens) plus {maxNewTokens} new tokens exceeds the context of {model.Config.ContextLength}. " +
                                            "Lower maxNewTokens or use shorter prompts.", nameof(prompts));
        }
    }
}
