using LlmCourse.Tokenization;
using Microsoft.ML.Tokenizers;

namespace LlmCourse.Tests.Tokenization;

/// <summary>Our encoder with GPT-2's ranks must give Microsoft.ML.Tokenizers' Tiktoken gpt2 ids exactly.</summary>
public class Gpt2ParityTests
{
    private static readonly Lazy<TiktokenTokenizer> Microsoft = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    private const string Multilingual = """
        It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.
        "I'm sure," said Mrs. Bennet, "you'll like him; they're   charming, and he'd dance—wouldn't he?"
        Unhappiness, UNHAPPINESS, un-happiness... 1,234,567.89 £500 a year; 3×4=12; x² + y² = z²; ½ ⅓ Ⅻ ١٢٣
        Deutsch: Größenwahn über Ärger. Français: déjà vu, où est l'hôtel? Español: ¿Qué tal? ¡Olé! Português: ação, coração.
        Русский: Привет, мир! Ελληνικά: Γειά σου Κόσμε. עברית: שלום עולם. العربية: مرحبا بالعالم. हिन्दी: नमस्ते दुनिया.
        中文：你好，世界！日本語：こんにちは、世界。カタカナ。한국어: 안녕하세요 세계. ไทย: สวัสดีชาวโลก. Tiếng Việt: Xin chào.
        Code: for (int i = 0; i < n; i++) { sum += a[i] * 2; } // done
        	Tabs	and    spaces   


        Specials inline: before<|endoftext|>after <|endoftext|> and <|endoftext without the bar.
        """ +
        // Escapes are not processed inside a raw literal, so the characters that need them come here.
        "Emoji: 😀😃 👍🏽 \U0001F468\u200D\U0001F469\u200D\U0001F467 🇬🇧🇫🇷 ❤\uFE0F ✨ — astral letters 𝐀𝐁𝐂 𝔄𝔅 𠜎𠜱, combining e\u0301 a\u0308.\n" +
        "Windows\r\nline\rends\u2028and\u00A0no-break\u3000ideographic space\uFEFF. NUL\0 BEL\a ESC\u001B DEL\u007F\n" +
        "Broken: \uD83D alone, \uDE00 alone, \uDBFF\uDBFF\uDFFF twice-high, end\uD800";

    [Fact]
    public void Same_ids_on_a_varied_multilingual_text()
    {
        Assert.Equal(Microsoft.Value.EncodeToIds(Multilingual), BytePairTokenizer.Gpt2().Encode(Multilingual));
        // Line by line too: short texts exercise other chunk boundaries and the cache in another order.
        foreach (var line in Multilingual.Split('\n'))
            Assert.Equal(Microsoft.Value.EncodeToIds(line), BytePairTokenizer.Gpt2().Encode(line));
    }

    [Fact]
    public void Same_ids_on_random_awkward_strings()
    {
        var random = new Random(11);
        for (var i = 0; i < 3000; i++)
        {
            var text = i % 3 == 0 ? RandomText.AnyChars(random, random.Next(0, 60)) : RandomText.Mixed(random, random.Next(0, 30));
            Assert.Equal(Microsoft.Value.EncodeToIds(text), BytePairTokenizer.Gpt2().Encode(text));
        }
    }

    [Fact]
    public void Same_ids_on_long_chunks_that_take_the_heap_path()
    {
        foreach (var text in new[] { new string('-', 1000), new string(' ', 777) + "x", string.Concat(Enumerable.Repeat("=-", 300)), new string('a', 5000) })
            Assert.Equal(Microsoft.Value.EncodeToIds(text), BytePairTokenizer.Gpt2().Encode(text));
    }
}
