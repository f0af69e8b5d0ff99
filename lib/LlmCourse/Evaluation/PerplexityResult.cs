namespace LlmCourse.Evaluation;

/// <summary>
/// How well a model predicted a text, in the units people compare. Everything derives from one number, the total
/// surprise <see cref="TotalNats"/> = Σ −ln p(actual next token), divided by what was predicted.
/// </summary>
/// <remarks>
/// <para><b>Perplexity</b> = e^(nats per token): "as unsure as a fair choice among this many tokens". It depends on
/// the tokenizer: a tokenizer with longer tokens has fewer, harder tokens and a higher perplexity for the same model
/// quality. Never compare perplexities across tokenizers.</para>
/// <para><b>Bits per byte</b> = total nats / UTF-8 bytes / ln 2: the same surprise spread over the bytes of the
/// text, which every tokenizer agrees on. It is what a compressor driven by the model would need per byte, and it
/// is the number to compare across tokenizers (bits per character likewise, for one language).</para>
/// <para>The hole: both reward predicting the text, not being useful. A model can lower perplexity on Austen by
/// memorising Austen; held-out text (<see cref="Data.Corpus.Validation"/>) is what keeps the number honest.</para>
/// </remarks>
/// <param name="TotalNats">Σ −ln p over the scored tokens.</param>
/// <param name="ScoredTokens">Tokens scored (every token of the text, less the first one when there is no begin token).</param>
/// <param name="ScoredBytes">UTF-8 bytes of the scored tokens.</param>
/// <param name="ScoredCharacters">UTF-16 characters of the scored text (the text's length, less the first token's when it was context only).</param>
/// <param name="Window">Tokens the model read at once.</param>
/// <param name="Stride">Tokens between window starts.</param>
/// <param name="ForwardPasses">Windows run through the model.</param>
/// <param name="TokenLosses">Each scored token's loss in nats, in text order, when asked for (<see cref="PerplexityOptions.KeepTokenLosses"/>); else empty.</param>
public sealed record PerplexityResult(
    double TotalNats, long ScoredTokens, long ScoredBytes, long ScoredCharacters,
    int Window, int Stride, int ForwardPasses, IReadOnlyList<float> TokenLosses)
{
    /// <summary>Mean loss per scored token in nats: the number training minimises.</summary>
    public double NatsPerToken => TotalNats / ScoredTokens;

    /// <summary>e^(nats per token). A uniform guess over V tokens scores exactly V.</summary>
    public double Perplexity => Math.Exp(NatsPerToken);

    /// <summary>Mean loss per scored token in bits.</summary>
    public double BitsPerToken => NatsPerToken / Math.Log(2);

    /// <summary>Total bits / UTF-8 bytes: comparable across tokenizers.</summary>
    public double BitsPerByte => TotalNats / Math.Log(2) / ScoredBytes;

    /// <summary>Total bits / characters: comparable across tokenizers on the same text (section 0 used it).</summary>
    public double BitsPerCharacter => TotalNats / Math.Log(2) / ScoredCharacters;

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"perplexity {Perplexity:F3}, {NatsPerToken:F4} nats/token, {BitsPerByte:F4} bits/byte over {ScoredTokens:N0} tokens ({ScoredBytes:N0} bytes; window {Window}, stride {Stride})");
}
