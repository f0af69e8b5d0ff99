using System.Text;

namespace LlmCourse.Tests.Tokenization;

/// <summary>Seeded generators of awkward text for round-trip and parity tests.</summary>
internal static class RandomText
{
    /// <summary>Pieces that stress a byte-level tokenizer: scripts, emoji sequences, whitespace, contractions, surrogates.</summary>
    private static readonly string[] Pieces =
    [
        "a", "b", "the", " the", "The", "'s", "'S", "'ll", "'re", "don't", "Mr.", "Mrs", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n",
        "0", "42", "1,000.5", "½", "²", "Ⅻ", "日本語", "中文", "한국어", "ไทย", "Привет", "Ελληνικά", "مرحبا", "שלום", "हिन्दी",
        "é", "e\u0301", "ß", "İ", "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "𝐀𝐁", "𠜎", "\uD800", "\uDFFF", "\uDBFF", "\uFFFD", "\uFEFF",
        "\u00A0", "\u2028", "\u3000", "!", "?!", "...", "—", "--", "$", "{", "}", "<|", "|>", "<|endoftext|>", "<|user|>", "\0",
    ];

    public static string Mixed(Random random, int pieces)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pieces; i++)
            sb.Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }

    /// <summary>Any UTF-16 code units at all, lone surrogates and control characters included.</summary>
    public static string AnyChars(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = random.Next(4) switch
            {
                0 => (char)random.Next(0, 128),
                1 => (char)random.Next(0xD800, 0xE000),
                2 => (char)random.Next(0x80, 0x800),
                _ => (char)random.Next(0, 0x10000),
            };
        }
        return new string(chars);
    }
}
