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
/// of every prompt; one batched pass is several times faster than k separate generations.
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
        if (prompt.Length == 0)
            throw new ArgumentException("The prompt is empty: give the chat template's prompt ids.", nameof(prompt));
        if (count < 1 || maxNewTokens < 1)
            throw new ArgumentException($"count ({count}) and maxNewTokens ({maxNewTokens}) must be at least 1.");
        if (!(temperature > 0))
            throw new ArgumentException($"Temperature {temperature}: sampling needs a temperature above 0 (RLOO learns from the spread of its samples; greedy samples are all alike).", nameof(temperature));
        if (prompt.Length + maxNewTokens > model.Config.ContextLength)
            throw new ArgumentException($"The prompt ({prompt.Length} tokens) plus {maxNewTokens} new tokens exceeds the context of {model.Config.ContextLength}. " +
                                        "Lower maxNewTokens or use shorter prompts.", nameof(prompt));
        var tokens = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var finished = new bool[count];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var cache = model.CreateCache();
            using var promptIds = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0).expand(count, -1).contiguous();
            var logits = model.Run(promptIds, cache, lastPositionOnly: true).Logits;   // [count, 1, vocab]
            try
            {
                for (var step = 0; step < maxNewTokens; step++)
                {
                    using var scope = NewDisposeScope();
                    var probabilities = (logits.select(1, -1) / temperature).softmax(-1);
                    var next = probabilities.multinomial(1, generator: generator);          // [count, 1]
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
}
