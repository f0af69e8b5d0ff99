using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LlmCourse.Tests.Data;

/// <summary>
/// Writes R's XDR serialization the way R's serialize.c does, so the reader can be tested on bytes built
/// independently of it: header "X\n", version 3, then items as (flags, payload) with big-endian integers.
/// </summary>
internal sealed class RWriter
{
    private readonly MemoryStream stream = new();
    private readonly List<string> symbols = [];

    public RWriter(int version = 3)
    {
        stream.Write("X\n"u8);
        Int(version);
        Int(0x00040201); // written by R 4.2.1
        Int(version == 3 ? 0x00030500 : 0x00020300);
        if (version == 3) { Int(5); stream.Write("UTF-8"u8); }
    }

    public byte[] ToArray() => stream.ToArray();

    public RWriter Int(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        stream.Write(b);
        return this;
    }

    public RWriter Raw(byte[] bytes) { stream.Write(bytes); return this; }

    /// <summary>A CHARSXP: levels carry the encoding flag (ASCII 64, UTF-8 8, latin1 4); NA is length -1.</summary>
    public RWriter CharSxp(string? value, int levels = -1)
    {
        if (value is null) return Int(9).Int(-1);
        if (levels < 0) levels = value.All(c => c < 128) ? 64 : 8;
        var bytes = levels == 4 ? Encoding.Latin1.GetBytes(value) : Encoding.UTF8.GetBytes(value);
        return Int(9 | (levels << 12)).Int(bytes.Length).Raw(bytes);
    }

    public RWriter Strings(params string?[] values) => Strings(values, names: null);

    public RWriter Strings(string?[] values, string[]? names)
    {
        Int(16 | (names is null ? 0 : 1 << 9)).Int(values.Length);
        foreach (var v in values) CharSxp(v);
        if (names is not null) NamesAttribute(names);
        return this;
    }

    public RWriter Integers(params int[] values)
    {
        Int(13).Int(values.Length);
        foreach (var v in values) Int(v);
        return this;
    }

    public RWriter Logical(bool value) => Int(10).Int(1).Int(value ? 1 : 0);

    /// <summary>A list whose items are written by <paramref name="writeItems"/>; with names, a names attribute follows.</summary>
    public RWriter List(int count, Action<RWriter> writeItems, string[]? names = null)
    {
        Int(19 | (names is null ? 0 : 1 << 9)).Int(count);
        writeItems(this);
        if (names is not null) NamesAttribute(names);
        return this;
    }

    /// <summary>An attribute pairlist with one cell tagged `names`: the symbol is written in full once, then by reference.</summary>
    private void NamesAttribute(string[] names)
    {
        Int(2 | (1 << 10)); // LISTSXP with a tag
        Symbol("names");
        Strings(names);
        Int(254); // end of pairlist
    }

    public RWriter Symbol(string name)
    {
        var index = symbols.IndexOf(name);
        if (index >= 0) return Int(((index + 1) << 8) | 255); // REFSXP packed with its 1-based index
        symbols.Add(name);
        return Int(1).CharSxp(name);
    }

    /// <summary>An R lazy-load database (.rdx gzip bytes, .rdb bytes) holding the given character vectors.</summary>
    public static (byte[] Rdx, byte[] Rdb) LazyLoad(IReadOnlyDictionary<string, string?[]> objects)
    {
        var rdb = new MemoryStream();
        var entries = new List<(string Name, int Offset, int Length)>();
        foreach (var (name, values) in objects)
        {
            var serialized = new RWriter().Strings(values).ToArray();
            var compressed = new MemoryStream();
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(serialized);
            var offset = (int)rdb.Length;
            var header = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(header, serialized.Length);
            rdb.Write(header);
            rdb.Write(compressed.ToArray());
            entries.Add((name, offset, (int)rdb.Length - offset));
        }
        var index = new RWriter().List(3, w =>
        {
            w.List(entries.Count, v => { foreach (var e in entries) v.Integers(e.Offset, e.Length); }, entries.Select(e => e.Name).ToArray());
            w.List(0, _ => { }, []);
            w.Logical(true);
        }, ["variables", "references", "compressed"]).ToArray();
        var rdx = new MemoryStream();
        using (var gz = new GZipStream(rdx, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(index);
        return (rdx.ToArray(), rdb.ToArray());
    }
}
