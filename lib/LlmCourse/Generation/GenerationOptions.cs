namespace LlmCourse.Generation;

/// <summary>How <see cref="TextGenerator"/> continues a prompt.</summary>
public sealed record GenerationOptions
{
    /// <summary>The most tokens to add (stop tokens end earlier).</summary>
    public int MaxNewTokens { get; init; } = 200;

    /// <summary>Greedy or sampled, with temperature, top-k, top-p and the seed.</summary>
    public SamplingSettings Sampling { get; init; } = new();

    /// <summary>Token ids that end the generation when produced (e.g. &lt;|end|&gt;); the stop token itself is not added.</summary>
    public IReadOnlyCollection<int> StopTokens { get; init; } = [];

    /// <summary>True: prefill once, then one token per step with the KV cache. False: re-run the whole window every step (for comparison).</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>Keep each step's next-token logits in the result (for tests and plots; costs vocab floats per step).</summary>
    public bool RecordLogits { get; init; }

    /// <summary>Where warnings go (a cropped prompt, a sliding context); null prints them to standard error.</summary>
    public Action<string>? OnWarning { get; init; }
}
