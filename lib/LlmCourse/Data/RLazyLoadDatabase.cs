using System.Buffers.Binary;
using System.IO.Compression;

namespace LlmCourse.Data;

/// <summary>
/// Reads an R package's lazy-load database: the pair <c>Rdata.rdx</c> (a gzip-compressed serialized index) and
/// <c>Rdata.rdb</c> (one compressed serialized object after another). The index's <c>variables</c> entry maps each
/// object's name to its (offset, length) in the .rdb; each chunk there is a 4-byte big-endian uncompressed length
/// followed by a zlib stream.
/// </summary>
public sealed class RLazyLoadDatabase
{
    private readonly byte[] database;
    private readonly Dictionary<string, (int Offset, int Length)> variables = new(StringComparer.Ordinal);

    private RLazyLoadDatabase(byte[] index, byte[] database)
    {
        this.database = database;
        if (RSerialization.Read(index) is not RList root)
            throw new InvalidDataException("The .rdx index is not an R list: this is not a lazy-load database.");
        if (root["compressed"] is not (RLogical { Values: [true] } or RInteger { Values: [1] }))
            throw new NotSupportedException(
                "The .rdb uses bzip2 or xz compression (R's compress = 2 or 3); only zlib (compress = TRUE) is supported.");
        if (root["variables"] is not RList table || table.Names is not { } names)
            throw new InvalidDataException("The .rdx index has no named 'variables' list.");
        for (var i = 0; i < table.Items.Length; i++)
        {
            if (table.Items[i] is not RInteger { Values: [int offset, int length] } || names[i] is not { } name)
                throw new InvalidDataException($"Entry {i} of the .rdx 'variables' list is not a named (offset, length) pair.");
            variables[name] = (offset, length);
        }
    }

    /// <summary>Opens a database from its two files.</summary>
    /// <param name="rdxPath">The index, e.g. <c>.../janeaustenr/data/Rdata.rdx</c>.</param>
    /// <param name="rdbPath">The data; defaults to the .rdx path with the extension .rdb.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    public static RLazyLoadDatabase Open(string rdxPath, string? rdbPath = null)
    {
        rdbPath ??= Path.ChangeExtension(rdxPath, ".rdb");
        foreach (var path in new[] { rdxPath, rdbPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"R lazy-load file '{path}' not found: pass the folder of an extracted R package's data/.", path);
        return FromBytes(File.ReadAllBytes(rdxPath), File.ReadAllBytes(rdbPath));
    }

    /// <summary>Opens a database from the raw bytes of its .rdx (still gzip-compressed) and .rdb.</summary>
    public static RLazyLoadDatabase FromBytes(byte[] rdx, byte[] rdb)
    {
        using var gzip = new GZipStream(new MemoryStream(rdx), CompressionMode.Decompress);
        using var index = new MemoryStream();
        gzip.CopyTo(index);
        return new RLazyLoadDatabase(index.ToArray(), rdb);
    }

    /// <summary>The names of the objects stored, in sorted order.</summary>
    public IReadOnlyList<string> Names => variables.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Decompresses and parses the object called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such object; the message lists the ones there are.</exception>
    /// <exception cref="InvalidDataException">The chunk is damaged (wrong length, bad zlib stream).</exception>
    public RObject Read(string name)
    {
        if (!variables.TryGetValue(name, out var where))
            throw new KeyNotFoundException($"The database holds no object '{name}'. It holds: {string.Join(", ", Names)}.");
        if (where.Offset < 0 || where.Length < 5 || where.Offset + where.Length > database.Length)
            throw new InvalidDataException(
                $"Object '{name}' claims bytes {where.Offset}..{where.Offset + where.Length} of a {database.Length}-byte .rdb: the files do not belong together.");
        var chunk = database.AsSpan(where.Offset, where.Length);
        var expectedLength = BinaryPrimitives.ReadInt32BigEndian(chunk);
        var serialized = new byte[expectedLength];
        using (var zlib = new ZLibStream(new MemoryStream(chunk[4..].ToArray()), CompressionMode.Decompress))
        {
            try
            {
                zlib.ReadExactly(serialized);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"Object '{name}' decompresses to fewer than the {expectedLength} bytes its header says.");
            }
            if (zlib.ReadByte() != -1)
                throw new InvalidDataException($"Object '{name}' decompresses to more than the {expectedLength} bytes its header says.");
        }
        return RSerialization.Read(serialized);
    }
}
