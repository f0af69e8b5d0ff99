using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace LlmCourse.Tokenization;

/// <summary>
/// A hash table from byte sequences to ints that is looked up with a span: the BPE merge loop asks "is this slice of
/// the chunk a token, and what is its rank?" millions of times, and must not allocate an array per question.
/// Keys live back to back in one byte array; open addressing with linear probing.
/// </summary>
internal sealed class ByteSpanTable
{
    private byte[] arena = new byte[1024];
    private int arenaUsed;
    private Entry[] entries = new Entry[64];
    private int count;
    private int[] buckets = new int[128]; // entry index + 1; 0 = empty
    private int mask = 127;

    private struct Entry
    {
        public int Start;
        public int Length;
        public int Value;
        public uint Hash;
    }

    public int Count => count;

    /// <summary>Adds a key; false (and no change) if it is already there.</summary>
    public bool TryAdd(ReadOnlySpan<byte> key, int value)
    {
        var hash = Hash(key);
        if (Find(key, hash) >= 0)
            return false;
        if ((count + 1) * 2 > buckets.Length)
            Grow();
        if (arenaUsed + key.Length > arena.Length)
            Array.Resize(ref arena, Math.Max(arena.Length * 2, arenaUsed + key.Length));
        if (count == entries.Length)
            Array.Resize(ref entries, entries.Length * 2);
        key.CopyTo(arena.AsSpan(arenaUsed));
        entries[count] = new Entry { Start = arenaUsed, Length = key.Length, Value = value, Hash = hash };
        arenaUsed += key.Length;
        Insert(count, hash);
        count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ReadOnlySpan<byte> key, out int value)
    {
        var index = Find(key, Hash(key));
        value = index >= 0 ? entries[index].Value : 0;
        return index >= 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(ReadOnlySpan<byte> key, uint hash)
    {
        for (var slot = (int)(hash & (uint)mask); ; slot = (slot + 1) & mask)
        {
            var e = buckets[slot] - 1;
            if (e < 0)
                return -1;
            ref var entry = ref entries[e];
            if (entry.Hash == hash && entry.Length == key.Length &&
                arena.AsSpan(entry.Start, entry.Length).SequenceEqual(key))
                return e;
        }
    }

    private void Insert(int entry, uint hash)
    {
        var slot = (int)(hash & (uint)mask);
        while (buckets[slot] != 0)
            slot = (slot + 1) & mask;
        buckets[slot] = entry + 1;
    }

    private void Grow()
    {
        buckets = new int[buckets.Length * 2];
        mask = buckets.Length - 1;
        for (var e = 0; e < count; e++)
            Insert(e, entries[e].Hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        // Multiply-and-fold over 8-byte words; tokens are short, so usually one or two rounds.
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)key.Length;
        while (key.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            key = key[8..];
        }
        if (key.Length > 0)
        {
            ulong tail = 0;
            for (var i = 0; i < key.Length; i++)
                tail |= (ulong)key[i] << (8 * i);
            h = (h ^ tail) * 0x94D049BB133111EBUL;
        }
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return (uint)(h >> 32);
    }
}
