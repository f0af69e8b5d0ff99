using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Creates the Linear and Embedding layers of the model. Inside <see cref="DeferInitialization"/> they start at zero
/// instead of TorchSharp's random default, because <see cref="GptModel"/> draws every weight again from its own seeded
/// generator (or loads a checkpoint): drawing 124M random numbers twice took GPT-2 small ~10 s here.
/// Outside it (a block or an MLP built on its own) they get TorchSharp's usual initialisation.
/// </summary>
internal static class Layers
{
    [ThreadStatic] private static bool deferred;

    /// <summary>Until disposed, layers created on this thread start at zero.</summary>
    public static IDisposable DeferInitialization()
    {
        var previous = deferred;
        deferred = true;
        return new Restore(previous);
    }

    public static Linear Linear(long inputs, long outputs, bool bias) => deferred
        ? nn.Linear(new Parameter(torch.zeros(outputs, inputs)), bias ? new Parameter(torch.zeros(outputs)) : null)
        : nn.Linear(inputs, outputs, hasBias: bias);

    public static Embedding Embedding(long count, long width)
    {
        if (!deferred)
            return nn.Embedding(count, width);
        // Build a one-row table (cheap to initialise) and give it the real, zeroed matrix.
        var embedding = nn.Embedding(1, width);
        embedding.weight = new Parameter(torch.zeros(count, width));
        return embedding;
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => deferred = previous;
    }
}
