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
    [ThreadStatic] private static bool uninitialized;

    /// <summary>Until disposed, layers created on this thread start at zero.</summary>
    public static IDisposable DeferInitialization()
    {
        var previous = deferred;
        deferred = true;
        return new Restore(() => deferred = previous);
    }

    /// <summary>
    /// Until disposed, deferred layers get uninitialised memory instead of zeros. Only for a loader that then
    /// overwrites every weight (and checks that it did): first-touch zeroing of GPT-2's 500 MB cost ~1.8 CPU-seconds here.
    /// </summary>
    public static IDisposable LeaveUninitialized()
    {
        var previous = uninitialized;
        uninitialized = true;
        return new Restore(() => uninitialized = previous);
    }

    public static Linear Linear(long inputs, long outputs, bool bias) => deferred
        ? nn.Linear(new Parameter(Fresh(outputs, inputs)), bias ? new Parameter(Fresh(outputs)) : null)
        : nn.Linear(inputs, outputs, hasBias: bias);

    public static Embedding Embedding(long count, long width)
    {
        if (!deferred)
            return nn.Embedding(count, width);
        // Build a one-row table (cheap to initialise) and give it the real, zeroed matrix.
        var embedding = nn.Embedding(1, width);
        embedding.weight = new Parameter(Fresh(count, width));
        return embedding;
    }

    private static Tensor Fresh(params long[] shape) => uninitialized ? torch.empty(shape) : torch.zeros(shape);

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
