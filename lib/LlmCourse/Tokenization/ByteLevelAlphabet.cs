using System.Text;

namespace LlmCourse.Tokenization;

/// <summary>
/// GPT-2's byte ↔ character table: each of the 256 byte values gets one printable character, so a token made of
/// arbitrary bytes (a space, a newline, half of an emoji) can be written as a visible word without spaces.
/// Printable bytes keep their own character ('a' stays 'a'); the other 68 (control bytes, space, 0x7F–0xA0, 0xAD)
/// are moved to U+0100 upwards in byte order: space becomes 'Ġ' (U+0120) and newline 'Ċ' (U+010A). That is why
/// GPT-2 vocabularies are full of "Ġthe". The tokenizer file uses this table for its merge lines.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    /// <summary>The character that stands for one byte.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>Writes bytes as their stand-in characters: <c>" the"</c>'s bytes become <c>"Ġthe"</c>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
            sb.Append(ByteToChar[b]);
        return sb.ToString();
    }

    /// <summary>Reads stand-in characters back into bytes; false if a character is not in the table.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (!CharToByte.TryGetValue(text[i], out bytes[i]))
                return false;
        }
        return true;
    }
}
