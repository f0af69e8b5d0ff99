using LlmCourse.Tokenization;

namespace LlmCourse.Evaluation;

/// <summary>
/// How <see cref="Perplexity"/> walks a text. A model reads at most <see cref="Window"/> tokens at once, so a longer
/// text is cut into overlapping windows that start <see cref="Stride"/> tokens apart; each window scores only the
/// tokens no earlier window scored, so every token is scored exactly once and sees at least
/// <c>Window − Stride + 1</c> tokens of left context (except near the start of the text, where there are fewer).
/// </summary>
/// <remarks>
/// Stride = Window gives back-to-back windows: fastest, but the first tokens of each window see almost nothing, so
/// the perplexity comes out too high. Stride = 1 gives every token a full window: the best estimate, one forward
/// pass per token. Half a window is the usual compromise.
/// </remarks>
public sealed record PerplexityOptions
{
    /// <summary>Tokens the model reads at once; null = the model's context length.</summary>
    public int? Window { get; init; }

    /// <summary>Tokens between the starts of consecutive windows, 1..Window; null = half the window.</summary>
    public int? Stride { get; init; }

    /// <summary>Windows scored in one forward pass. Memory grows with BatchSize × Window × vocabulary (float32 logits).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>
    /// A token put before the text (e.g. the id of &lt;|endoftext|&gt;) so that the text's first token is scored too.
    /// Null: the first token is only context; it is not scored and its bytes and characters are not counted.
    /// </summary>
    public int? BeginToken { get; init; }

    /// <summary>What the spelling of a special token inside the text means; evaluation text is text, so by default it is cut into ordinary tokens.</summary>
    public SpecialTokenPolicy Specials { get; init; } = SpecialTokenPolicy.AsText;

    /// <summary>Keep every scored token's loss in <see cref="PerplexityResult.TokenLosses"/> (4 bytes a token).</summary>
    public bool KeepTokenLosses { get; init; }
}
