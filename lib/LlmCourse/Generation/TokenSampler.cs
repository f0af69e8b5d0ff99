using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// Picks next tokens from logits according to <see cref="SamplingSettings"/>. Owns a random generator seeded from the
/// settings, independent of torch's global one: a sampler's draws do not shift when other code uses randomness.
/// </summary>
public sealed class TokenSampler : IDisposable
{
    private readonly torch.Generator generator;
    private readonly LogitsPipeline pipeline;

    /// <summary>Creates a sampler; its generator starts at <see cref="SamplingSettings.Seed"/>.</summary>
    public TokenSampler(SamplingSettings settings)
    {
        Settings = settings;
        pipeline = settings.ToPipeline();
        generator = new torch.Generator(unchecked((ulong)settings.Seed), CPU);
    }

    /// <summary>The settings this sampler follows.</summary>
    public SamplingSettings Settings { get; }

    /// <summary>The next-token distribution after temperature/top-k/top-p, as probabilities [.., vocab] (one-hot for greedy).</summary>
    public Tensor Probabilities(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var flat = logits.detach().to(ScalarType.Float32, CPU);
        if (Settings.IsGreedy)
            return nn.functional.one_hot(flat.argmax(-1), flat.shape[^1]).to(ScalarType.Float32).MoveToOuterDisposeScope();
        return pipeline.Apply(flat).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Chooses the next token from logits of shape [vocab] (the last position's).</summary>
    /// <exception cref="ArgumentException">The logits are not 1-D.</exception>
    public int Next(Tensor logits)
    {
        if (logits.dim() != 1)
            throw new ArgumentException($"Next expects the logits of one position, shape [vocab]; got [{string.Join(", ", logits.shape)}]. Pass logits[0, -1].", nameof(logits));
        using var scope = NewDisposeScope();
        if (Settings.IsGreedy)
            return (int)logits.argmax().item<long>();
        var probabilities = pipeline.Apply(logits.detach().to(ScalarType.Float64, CPU)).softmax(-1);
        return (int)probabilities.multinomial(1, generator: generator).item<long>();
    }

    /// <summary>Releases the generator.</summary>
    public void Dispose() => generator.Dispose();
}
