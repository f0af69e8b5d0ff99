using System.Text;

namespace LlmCourse.Tokenization;

/// <summary>
/// Turns .NET text into the bytes a byte-level tokenizer sees, and back.
/// </summary>
/// <remarks>
/// This is UTF-8 with one extension: a lone surrogate (half of an emoji pair, cut off) is written as the three bytes
/// its code unit would take if it were an ordinary character (ED A0 80 for U+D800). That is what
/// Microsoft.ML.Tokenizers' Tiktoken does, so GPT-2 ids agree on broken text too, and it makes
/// <c>ToText(FromText(s)) == s</c> hold for EVERY .NET string (the encoding is known as WTF-8).
/// Bytes that are not valid UTF-8 (a token cut in the middle of a character) decode to U+FFFD, one per bad byte.
/// </remarks>
public static class TextBytes
{
    /// <summary>The most bytes one UTF-16 code unit can become (3; a surrogate pair takes 4 for 2 units).</summary>
    public const int MaxBytesPerChar = 3;

    /// <summary>Encodes text into bytes (UTF-8; lone surrogates as their 3-byte form).</summary>
    public static byte[] FromText(ReadOnlySpan<char> text)
    {
        var buffer = new byte[text.Length * MaxBytesPerChar];
        var n = Encode(text, buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="text"/> into <paramref name="destination"/>, which must hold at least
    /// <c>text.Length * 3</c> bytes; returns the number of bytes written.
    /// </summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            uint c = text[i];
            if (c < 0x80)
            {
                destination[n++] = (byte)c;
            }
            else if (c < 0x800)
            {
                destination[n++] = (byte)(0xC0 | (c >> 6));
                destination[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                uint scalar = (uint)char.ConvertToUtf32((char)c, text[++i]);
                destination[n++] = (byte)(0xF0 | (scalar >> 18));
                destination[n++] = (byte)(0x80 | ((scalar >> 12) & 0x3F));
                destination[n++] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
                destination[n++] = (byte)(0x80 | (scalar & 0x3F));
            }
            else
            {
                // Any other BMP code unit, lone surrogates included: the 3-byte form.
                destination[n++] = (byte)(0xE0 | (c >> 12));
                destination[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                destination[n++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    /// <summary>
    /// Decodes bytes back to text: the inverse of <see cref="FromText"/> (lone surrogates come back), and U+FFFD for
    /// each byte that does not start a well-formed sequence.
    /// </summary>
    public static string ToText(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b < 0x80)
            {
                sb.Append((char)b);
                i++;
                continue;
            }
            var (length, min) = b switch
            {
                >= 0xC2 and <= 0xDF => (2, 0x80),
                >= 0xE0 and <= 0xEF => (3, 0x800),
                >= 0xF0 and <= 0xF4 => (4, 0x10000),
                _ => (0, 0),
            };
            if (length == 0 || i + length > bytes.Length)
            {
                sb.Append('\uFFFD');
                i++;
                continue;
            }
            int scalar = b & (0x7F >> length);
            var ok = true;
            for (var k = 1; k < length && ok; k++)
            {
                var next = bytes[i + k];
                ok = (next & 0xC0) == 0x80;
                scalar = (scalar << 6) | (next & 0x3F);
            }
            if (!ok || scalar < min || scalar > 0x10FFFF)
            {
                sb.Append('\uFFFD');
                i++;
                continue;
            }
            if (scalar >= 0x10000)
                sb.Append(char.ConvertFromUtf32(scalar));
            else
                sb.Append((char)scalar); // surrogate code points included: that is the WTF-8 part.
            i += length;
        }
        return sb.ToString();
    }
}
