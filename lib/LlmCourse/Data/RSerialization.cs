using System.Buffers.Binary;
using System.Text;

namespace LlmCourse.Data;

/// <summary>
/// Reads R's binary serialization format (what <c>saveRDS</c> and R's lazy-load databases store): the XDR variant,
/// versions 2 and 3. Everything is big-endian. Enough of the format is covered to read a data package's vectors
/// and lists; anything else (closures, environments, ALTREP, ...) raises a <see cref="NotSupportedException"/>.
/// </summary>
public static class RSerialization
{
    // SEXP type codes (R's Rinternals.h) and the serializer's pseudo-types (serialize.c).
    private const int SymSxp = 1, ListSxp = 2, CharSxp = 9, LglSxp = 10, IntSxp = 13, RealSxp = 14, StrSxp = 16, VecSxp = 19;
    private const int RefSxp = 255, NilValueSxp = 254;
    private const int NaInteger = int.MinValue;
    // Bits of a CHARSXP's "levels" field (the flags' top 20 bits) that say how its bytes are encoded.
    private const int Latin1Mask = 1 << 2, Utf8Mask = 1 << 3, AsciiMask = 1 << 6;

    /// <summary>Parses one serialized R object (the whole input must be that one object).</summary>
    /// <param name="data">The bytes, already decompressed, starting with the two-byte format header <c>X\n</c>.</param>
    /// <exception cref="InvalidDataException">The bytes are not XDR R serialization or are cut short.</exception>
    /// <exception cref="NotSupportedException">The object holds a type this reader does not handle.</exception>
    public static RObject Read(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data.ToArray());
        reader.ReadHeader();
        var value = reader.ReadItem();
        if (reader.Position != data.Length)
            throw new InvalidDataException(
                $"The R object ended at byte {reader.Position} of {data.Length}: trailing bytes mean the input is not one serialized object.");
        return value;
    }

    private sealed class Reader(byte[] data)
    {
        private readonly List<RObject> references = []; // symbols are written once and then referred to by index

        public int Position { get; private set; }

        public void ReadHeader()
        {
            if (data.Length < 2 || data[0] != (byte)'X' || data[1] != (byte)'\n')
                throw new InvalidDataException(
                    "Not R's XDR serialization: it starts with 'X\\n'. (ASCII 'A\\n' and native 'B\\n' files are not supported; " +
                    "re-save in R with saveRDS(x, file, ascii = FALSE) if you produced the file yourself.)");
            Position = 2;
            var version = ReadInt();
            ReadInt(); // the R version that wrote it
            ReadInt(); // the oldest R version that can read it
            if (version == 3)
            {
                var nameLength = ReadInt();
                ReadBytes(nameLength); // native encoding of the writer, e.g. "UTF-8"; strings carry their own flags
            }
            else if (version != 2)
                throw new NotSupportedException($"R serialization version {version} is not supported (only 2 and 3 are).");
        }

        public RObject ReadItem()
        {
            var flags = ReadInt();
            var type = flags & 0xFF;
            var hasAttributes = (flags & (1 << 9)) != 0;
            var hasTag = (flags & (1 << 10)) != 0;
            var levels = flags >>> 12;
            switch (type)
            {
                case NilValueSxp:
                    return RNull.Instance;
                case RefSxp:
                    var index = flags >>> 8;
                    if (index == 0) index = ReadInt(); // large indices follow as a separate integer
                    if (index < 1 || index > references.Count)
                        throw new InvalidDataException($"R reference {index} points outside the {references.Count} objects seen so far.");
                    return references[index - 1];
                case SymSxp:
                    var name = ReadItem() is RCharacter { Values: [var text] } ? text ?? "NA" : throw new InvalidDataException("An R symbol's name is not a string.");
                    var symbol = new RSymbol(name);
                    references.Add(symbol);
                    return symbol;
                case ListSxp:
                    return ReadPairList(hasAttributes, hasTag);
                case CharSxp:
                    return new RCharacter([ReadCharSxp(levels)]);
                case StrSxp:
                    {
                        var values = new string?[ReadLength()];
                        for (var i = 0; i < values.Length; i++)
                        {
                            var elementFlags = ReadInt();
                            if ((elementFlags & 0xFF) != CharSxp)
                                throw new InvalidDataException($"Element {i} of a character vector has type {elementFlags & 0xFF}, expected a string (9).");
                            values[i] = ReadCharSxp(elementFlags >>> 12);
                        }
                        return WithAttributes(new RCharacter(values), hasAttributes);
                    }
                case IntSxp:
                    return WithAttributes(new RInteger(ReadInts().Select(v => v == NaInteger ? (int?)null : v).ToArray()), hasAttributes);
                case LglSxp:
                    return WithAttributes(new RLogical(ReadInts().Select(v => v == NaInteger ? (bool?)null : v != 0).ToArray()), hasAttributes);
                case RealSxp:
                    {
                        var values = new double[ReadLength()];
                        for (var i = 0; i < values.Length; i++)
                            values[i] = BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8));
                        return WithAttributes(new RDouble(values), hasAttributes);
                    }
                case VecSxp:
                    {
                        var items = new RObject[ReadLength()];
                        for (var i = 0; i < items.Length; i++)
                            items[i] = ReadItem();
                        return WithAttributes(new RList(items), hasAttributes);
                    }
                default:
                    throw new NotSupportedException(
                        $"R object type {type} at byte {Position - 4} is not supported: this reader handles NULL, symbols, pairlists " +
                        "and character/integer/logical/double/list vectors, which is all a text data package holds.");
            }
        }

        private RPairList ReadPairList(bool hasAttributes, bool hasTag)
        {
            // A pairlist is written cell by cell: [attributes] [tag] value, then the rest of the list as the next item.
            var cells = new List<(string?, RObject)>();
            while (true)
            {
                if (hasAttributes) ReadItem(); // attributes on a pairlist cell: never used by data, skipped
                string? tag = hasTag ? (ReadItem() as RSymbol)?.Name : null;
                cells.Add((tag, ReadItem()));
                var flags = ReadInt();
                if ((flags & 0xFF) == NilValueSxp)
                    return new RPairList(cells);
                if ((flags & 0xFF) != ListSxp)
                    throw new InvalidDataException($"A pairlist continues with type {flags & 0xFF}, expected another cell (2) or NULL (254).");
                hasAttributes = (flags & (1 << 9)) != 0;
                hasTag = (flags & (1 << 10)) != 0;
            }
        }

        private T WithAttributes<T>(T value, bool hasAttributes) where T : RObject
        {
            if (!hasAttributes) return value;
            if (ReadItem() is not RPairList list)
                throw new InvalidDataException("An R object's attributes are not a pairlist.");
            var attributes = new Dictionary<string, RObject>();
            foreach (var (tag, item) in list.Cells)
                attributes[tag ?? ""] = item;
            return value with { Attributes = attributes };
        }

        private string? ReadCharSxp(int levels)
        {
            var length = ReadInt();
            if (length == -1) return null; // NA_character_
            var bytes = ReadBytes(length);
            // Strings flagged latin1 are stored as latin1; UTF-8, ASCII and unflagged strings (this package's native
            // encoding is UTF-8) decode as UTF-8. A malformed byte throws instead of turning into U+FFFD silently.
            if ((levels & Latin1Mask) != 0 && (levels & (Utf8Mask | AsciiMask)) == 0)
                return Encoding.Latin1.GetString(bytes);
            return StrictUtf8.GetString(bytes);
        }

        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private int[] ReadInts()
        {
            var values = new int[ReadLength()];
            for (var i = 0; i < values.Length; i++)
                values[i] = ReadInt();
            return values;
        }

        private int ReadLength()
        {
            var length = ReadInt();
            if (length >= 0) return length;
            if (length != -1) throw new InvalidDataException($"Negative R vector length {length}.");
            // Long vectors: -1, then the length as two 32-bit halves.
            var longLength = ((long)ReadInt() << 32) | (uint)ReadInt();
            if (longLength > Array.MaxLength)
                throw new NotSupportedException($"An R vector of {longLength} elements is too long to load.");
            return (int)longLength;
        }

        private int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(ReadBytes(4));

        private ReadOnlySpan<byte> ReadBytes(int count)
        {
            if (count < 0 || Position + count > data.Length)
                throw new InvalidDataException(
                    $"The R serialization is cut short: needed {count} bytes at byte {Position}, only {data.Length - Position} left.");
            var span = data.AsSpan(Position, count);
            Position += count;
            return span;
        }
    }
}
