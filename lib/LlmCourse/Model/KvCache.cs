using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>Keys and values to attend over, as returned by <see cref="KvCache.Append"/>.</summary>
/// <param name="Keys">[batch, heads, stored, headDim]: the kept keys followed by the new ones (a view; do not keep it).</param>
/// <param name="Values">Same shape as <paramref name="Keys"/>.</param>
/// <param name="FirstPosition">The absolute position of the first key (0 unless a sliding window evicted older ones).</param>
public readonly record struct CachedKeysValues(Tensor Keys, Tensor Values, int FirstPosition);

/// <summary>
/// The KV cache: each layer's keys and values of the tokens seen so far, so decoding a new token costs one token's
/// work instead of re-running the whole prefix. Prefill appends many tokens at once; decode appends one per step.
/// </summary>
/// <remarks>
/// <para>Storage: one preallocated [batch, heads, capacity, headDim] buffer per layer and for K and V, written in place
/// and doubled when full, so a decode step copies one token, not the whole history.</para>
/// <para>Sliding window (<see cref="Window"/>): after each append only the last <c>Window</c> entries are kept
/// (<see cref="StoredLength"/> never exceeds it between calls). Eviction only moves a start index; the buffer is
/// compacted at the start of a later append, after the previous views have been used.</para>
/// <para>Keys are stored already rotated by RoPE at their absolute positions. Use the cache under <c>no_grad</c> or
/// <c>inference_mode</c> (<see cref="GptModel.Run"/> does): it is an inference device, not part of autograd.</para>
/// </remarks>
public sealed class KvCache : IDisposable
{
    private readonly LayerSlot[] slots;
    private readonly int initialCapacity;

    /// <summary>Creates an empty cache for <paramref name="layers"/> layers.</summary>
    /// <param name="layers">The model's number of layers.</param>
    /// <param name="initialCapacity">Positions to reserve at the first append (it grows if needed); the model's context length is a good choice.</param>
    /// <param name="window">Keep only the last <paramref name="window"/> positions (sliding-window attention); null keeps all.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public KvCache(int layers, int initialCapacity = 256, int? window = null)
    {
        if (layers < 1)
            throw new ArgumentOutOfRangeException(nameof(layers), $"A KV cache needs at least 1 layer (got {layers}); pass the model's Config.Layers.");
        if (initialCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), $"The initial capacity must be at least 1 position (got {initialCapacity}).");
        if (window is < 1)
            throw new ArgumentOutOfRangeException(nameof(window), $"A sliding window must hold at least 1 token (got {window}); use null for full attention.");
        slots = Enumerable.Range(0, layers).Select(_ => new LayerSlot()).ToArray();
        this.initialCapacity = window is { } w ? Math.Max(initialCapacity, 2 * w) : initialCapacity;
        Window = window;
    }

    /// <summary>Number of layers.</summary>
    public int Layers => slots.Length;

    /// <summary>The sliding window (positions kept), or null for all.</summary>
    public int? Window { get; }

    /// <summary>Tokens processed so far: the position the next token will have.</summary>
    public int Length => slots[0].Seen;

    /// <summary>Positions currently held per layer (≤ <see cref="Window"/> when set).</summary>
    public int StoredLength => slots[0].Count;

    /// <summary>Batch size the cache was filled with (0 while empty).</summary>
    public int BatchSize => slots[0].Keys is null ? 0 : (int)slots[0].Shape[0];

    /// <summary>Bytes of the keys and values currently held (what the formula 2·layers·batch·heads·positions·headDim·4 predicts).</summary>
    public long BytesInUse => slots.Sum(s => s.Keys is null ? 0 : 2L * s.Count * BytesPerPosition(s.Keys));

    /// <summary>Bytes reserved by the buffers (capacity, not only what is used).</summary>
    public long BytesAllocated => slots.Sum(s => s.Keys is null ? 0 : 2L * s.Keys.shape[2] * BytesPerPosition(s.Keys));

    private static long BytesPerPosition(Tensor buffer) => buffer.shape[0] * buffer.shape[1] * buffer.shape[3] * buffer.ElementSize;

    /// <summary>
    /// Adds the keys and values of new tokens for one layer (each [batch, heads, newTokens, headDim]) and returns
    /// everything this layer should attend over: the kept history followed by the new entries.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ from what the cache holds (another batch size or model), or the layer is out of range.</exception>
    public CachedKeysValues Append(int layer, Tensor keys, Tensor values)
    {
        if (layer < 0 || layer >= slots.Length)
            throw new ArgumentOutOfRangeException(nameof(layer), $"Layer {layer} does not exist: this cache has {slots.Length} layers (0..{slots.Length - 1}).");
        // Shapes read once: each read is a call into the native library, and a decode step appends to every layer.
        var shape = keys.shape;
        if (shape.Length != 4 || !shape.SequenceEqual(values.shape))
            throw new ArgumentException($"Keys and values must both be [batch, heads, tokens, headDim]; got [{string.Join(", ", shape)}] and [{string.Join(", ", values.shape)}].");
        var slot = slots[layer];
        var added = (int)shape[2];
        if (slot.Keys is not null && (slot.Shape[0] != shape[0] || slot.Shape[1] != shape[1] || slot.Shape[3] != shape[3]))
            throw new ArgumentException(
                $"This KV cache holds batch {slot.Shape[0]}, {slot.Shape[1]} heads of {slot.Shape[3]} in layer {layer}, but got batch {shape[0]}, " +
                $"{shape[1]} heads of {shape[3]}. Call Reset() before a new batch, or create one cache per model.");

        slot.MakeRoom(keys, shape, added, initialCapacity);
        slot.Keys!.narrow(2, slot.Start + slot.Count, added).copy_(keys);
        slot.Values!.narrow(2, slot.Start + slot.Count, added).copy_(values);
        var firstPosition = slot.Seen - slot.Count;
        var result = new CachedKeysValues(slot.Keys.narrow(2, slot.Start, slot.Count + added), slot.Values.narrow(2, slot.Start, slot.Count + added), firstPosition);
        slot.Count += added;
        slot.Seen += added;
        if (Window is { } window && slot.Count > window)
        {
            // Eviction only moves the start: the views returned above stay valid until the next append.
            slot.Start += slot.Count - window;
            slot.Count = window;
        }
        return result;
    }

    /// <summary>Empties the cache (and frees its buffers) for a new sequence.</summary>
    public void Reset()
    {
        foreach (var slot in slots)
            slot.Clear();
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose() => Reset();

    private sealed class LayerSlot
    {
        public Tensor? Keys, Values;
        public long[] Shape = []; // of Keys and Values: [batch, heads, capacity, headDim]
        public int Start, Count, Seen;

        public void MakeRoom(Tensor like, long[] shape, int added, int initialCapacity)
        {
            if (Keys is null)
            {
                var capacity = Math.Max(initialCapacity, added);
                Keys = Allocate(like, shape, capacity);
                Values = Allocate(like, shape, capacity);
                Shape = [shape[0], shape[1], capacity, shape[3]];
                return;
            }
            var size = (int)Shape[2];
            if (Start + Count + added <= size)
                return;
            // Compact (drop what the window evicted) and grow if still short. Copies into fresh buffers, so no
            // overlapping in-place copy is needed.
            var needed = Count + added;
            var newSize = needed <= size ? size : Math.Max(2 * size, needed);
            Keys = MoveInto(Keys, Allocate(like, shape, newSize));
            Values = MoveInto(Values!, Allocate(like, shape, newSize));
            Shape = [shape[0], shape[1], newSize, shape[3]];
            Start = 0;
        }

        private Tensor MoveInto(Tensor old, Tensor fresh)
        {
            if (Count > 0)
                fresh.narrow(2, 0, Count).copy_(old.narrow(2, Start, Count));
            old.Dispose();
            return fresh;
        }

        private static Tensor Allocate(Tensor like, long[] shape, int capacity) =>
            OwnedTensor.Create(() => torch.zeros([shape[0], shape[1], capacity, shape[3]], like.dtype, like.device));

        public void Clear()
        {
            Keys?.Dispose();
            Values?.Dispose();
            Keys = Values = null;
            Shape = [];
            Start = Count = Seen = 0;
        }
    }
}
