using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// One conversation with one KV cache, made visible: every turn's tokens are appended to the cache, and the model's
/// replies are decoded greedily from it. The cache is the model's only state between turns, and it belongs to this
/// conversation: a new conversation starts with an empty cache and knows nothing the last one was told. The weights
/// never change. That is the difference between context (transient, per conversation) and memory.
/// </summary>
public sealed class CachedConversation : IDisposable
{
    private readonly GptModel model;
    private readonly KvCache cache;
    private Tensor? nextLogits;

    /// <summary>Starts an empty conversation with <paramref name="model"/>.</summary>
    public CachedConversation(GptModel model)
    {
        this.model = model;
        cache = model.CreateCache();
    }

    /// <summary>Tokens in the cache: everything this conversation has read and written so far.</summary>
    public int Length => cache.Length;

    /// <summary>Bytes of keys and values the cache holds.</summary>
    public long CacheBytes => cache.BytesInUse;

    /// <summary>Appends <paramref name="ids"/> (a user turn, say) to the conversation: one forward pass over them, extending the cache.</summary>
    /// <exception cref="ArgumentException">No ids, or the conversation would outgrow the model's context.</exception>
    public void Read(IReadOnlyList<int> ids)
    {
        if (ids.Count == 0)
            throw new ArgumentException("Nothing to read: pass at least one token id.", nameof(ids));
        if (cache.Length + ids.Count > model.Config.ContextLength)
            throw new ArgumentException($"The conversation would hold {cache.Length + ids.Count} tokens, more than the model's context of {model.Config.ContextLength}: start a new conversation.", nameof(ids));
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var inference = inference_mode(); // as in TextGenerator: no autograd bookkeeping; the logits are only read
            using var scope = NewDisposeScope();
            using var output = model.Run(tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]), cache, lastPositionOnly: true);
            nextLogits?.Dispose();
            nextLogits = output.Logits.reshape(-1).to(ScalarType.Float32).MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Greedy reply after what was read: up to <paramref name="maxTokens"/> ids, ending early at <paramref name="stopId"/>
    /// (which is appended to the conversation, as a chat template's end-of-turn is, but not returned).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing has been read yet.</exception>
    public IReadOnlyList<int> Reply(int maxTokens, int stopId)
    {
        if (nextLogits is null)
            throw new InvalidOperationException("The conversation is empty: Read a prompt before asking for a reply.");
        var reply = new List<int>();
        while (reply.Count < maxTokens && cache.Length < model.Config.ContextLength)
        {
            var next = (int)nextLogits.argmax().item<long>();
            Read([next]);
            if (next == stopId)
                break;
            reply.Add(next);
        }
        return reply;
    }

    /// <summary>Frees the cache.</summary>
    public void Dispose()
    {
        nextLogits?.Dispose();
        cache.Dispose();
    }
}
