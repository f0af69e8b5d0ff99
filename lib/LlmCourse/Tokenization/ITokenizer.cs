namespace LlmCourse.Tokenization;

/// <summary>
/// The one tokenizer contract of the course: text in, ids out, and back. Every tokenizer a notebook meets (characters,
/// bytes, our trained BPE, GPT-2's BPE, Microsoft's reference tokenizers) speaks it, so they can be swapped in a cell.
/// </summary>
public interface ITokenizer
{
    /// <summary>A short name for tables and plots, e.g. "bpe-2048" or "gpt2".</summary>
    string Name { get; }

    /// <summary>How many ids there are: every id is in <c>[0, VocabularySize)</c>. The model's embedding table has this many rows.</summary>
    int VocabularySize { get; }

    /// <summary>Special tokens by spelling, e.g. <c>&lt;|endoftext|&gt;</c> → 50256. Empty when there are none.</summary>
    IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Turns text into ids.</summary>
    /// <param name="text">Any .NET string (broken surrogate pairs included).</param>
    /// <param name="specials">What the spelling of a special token inside <paramref name="text"/> means; see <see cref="SpecialTokenPolicy"/>.</param>
    /// <exception cref="ArgumentException">The text cannot be encoded (a character a character-level vocabulary lacks,
    /// or a special token under <see cref="SpecialTokenPolicy.Reject"/>).</exception>
    int[] Encode(string text, SpecialTokenPolicy specials = SpecialTokenPolicy.Allow);

    /// <summary>Turns ids back into text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside <c>[0, VocabularySize)</c>; the message names it.</exception>
    string Decode(IEnumerable<int> ids);

    /// <summary>
    /// How one token looks on its own, for showing text cut into pieces. Bytes that are not whole UTF-8 characters
    /// (a token holding half an emoji) are shown as hex, e.g. <c>⟨F0 9F⟩</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside <c>[0, VocabularySize)</c>.</exception>
    string Piece(int id);
}
