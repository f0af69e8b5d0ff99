namespace LlmCourse.Model;

/// <summary>What one forward pass tells every layer besides the activations.</summary>
/// <param name="Layer">This layer's index (the KV-cache slot and the trace entry).</param>
/// <param name="Offset">Absolute position of the first new token (tokens already in the cache).</param>
/// <param name="Cache">The KV cache, or null for a plain forward.</param>
/// <param name="Trace">What to record, or null.</param>
/// <param name="Rope">Rotary positions shared by all layers, or null when positions are added to the embedding.</param>
/// <param name="Kernel">Explicit or fused attention.</param>
/// <param name="Window">Sliding-window size, or null for full causal attention.</param>
/// <param name="Dropout">Dropout probability.</param>
/// <param name="Training">True in training mode (dropout on).</param>
internal readonly record struct LayerContext(
    int Layer, int Offset, KvCache? Cache, ForwardTrace? Trace, Rope? Rope, AttentionKernel Kernel, int? Window, double Dropout, bool Training);
