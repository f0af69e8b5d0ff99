using System.Text.RegularExpressions;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using static TorchSharp.torch;

namespace LlmCourse.Evaluation;

/// <summary>Turns a model into the answer functions the evals call.</summary>
public static partial class ModelAnswerers
{
    /// <summary>
    /// An <see cref="Answerer"/> that continues each prompt with <see cref="TextGenerator.Complete"/>. Sampled decoding
    /// is seeded with the item's seed, so each item's answer is reproducible on its own; greedy ignores it.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer (the prompt's special-token spellings, e.g. a chat template, become special tokens).</param>
    /// <param name="options">Decoding; null = <see cref="DefaultOptions"/> (greedy, 32 tokens, stop at &lt;|end|&gt; / &lt;|endoftext|&gt;).</param>
    public static Answerer Create(GptModel model, ITokenizer tokenizer, GenerationOptions? options = null)
    {
        options ??= DefaultOptions(tokenizer);
        return (prompt, seed) => TextGenerator.Complete(model, tokenizer, prompt, options with { Sampling = options.Sampling with { Seed = seed } });
    }

    /// <summary>Greedy decoding of up to <paramref name="maxNewTokens"/> tokens, stopping at the tokenizer's &lt;|end|&gt; and &lt;|endoftext|&gt; if it has them.</summary>
    public static GenerationOptions DefaultOptions(ITokenizer tokenizer, int maxNewTokens = 32) => new()
    {
        MaxNewTokens = maxNewTokens,
        Sampling = SamplingSettings.Greedy,
        StopTokens = new[] { Specials.End, Specials.EndOfText }
            .Where(tokenizer.SpecialTokens.ContainsKey).Select(s => tokenizer.SpecialTokens[s]).ToArray(),
    };

    /// <summary>
    /// A needle-probe answerer: greedy decoding of up to <paramref name="maxNewTokens"/> tokens after the case's
    /// <see cref="NeedleCase.PromptIds"/>, reading the WHOLE prompt even past the model's context length (where
    /// <see cref="TextGenerator"/> would crop it), because running past the trained length is what the probe tests.
    /// A model with learned positions cannot read past its context and raises a clear error there.
    /// </summary>
    /// <remarks>
    /// Each step re-reads the prompt (no KV cache): the answer is a few tokens, and the cache is sized to the context.
    /// Decoding stops early once the answer holds a finished number (digits followed by anything else): the probe
    /// scores only the first number (<see cref="NeedleProbe.IsCorrect"/>), so later tokens cannot change the verdict.
    /// </remarks>
    public static Func<NeedleCase, string> Needle(GptModel model, ITokenizer tokenizer, int maxNewTokens = 6) => probe =>
    {
        var ids = probe.PromptIds.Select(i => (long)i).ToList();
        var generated = new List<int>();
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var step = 0; step < maxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                using var output = model.Run(tensor(ids.ToArray()).unsqueeze(0), lastPositionOnly: true);
                var next = (int)output.Logits[0, -1].argmax().item<long>();
                generated.Add(next);
                ids.Add(next);
                if (FinishedNumber().IsMatch(tokenizer.Decode(generated)))
                    break;
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return tokenizer.Decode(generated);
    };

    /// <summary>Some digits followed by a non-digit: the first number of the answer is complete.</summary>
    [GeneratedRegex("[0-9]+[^0-9]")]
    private static partial Regex FinishedNumber();
}
