namespace LlmCourse.Levers;

/// <summary>
/// Settings of a LoRA fine-tune: which Linear layers get an adapter and how big it is.
/// </summary>
/// <param name="Rank">r, the inner width of the update <c>ΔW = B·A</c> (B: out × r, A: r × in). The adapter has
/// <c>r · (in + out)</c> parameters instead of <c>in · out</c>; 4–16 is typical. Must be between 1 and min(in, out).</param>
/// <param name="Alpha">The update is scaled by <c>Alpha / Rank</c>, so changing the rank does not change the effective
/// learning rate much; a common choice is Alpha = 2 · Rank.</param>
/// <param name="TargetPattern">Regular expression matched against each layer's qualified name, e.g.
/// <c>@"attn\.(qkv|proj)$"</c>. Every module it matches must be a Linear.</param>
/// <param name="Dropout">Dropout on the adapter's input (training mode only); the frozen path never sees it.</param>
/// <param name="Seed">Seed of A's random initialisation, so the same config gives the same adapter.</param>
/// <param name="EmbeddingRank">Rank of a low-rank update of the token-embedding matrix (0 = none; GPT models only,
/// see <see cref="EmbeddingAdapter"/>). With a tied head that matrix is also the output layer, which the Linear
/// adapters cannot reach. Scaled like the others: <c>Alpha / Rank</c>.</param>
/// <param name="TrainableTokens">Token ids whose embedding rows train in full (empty or null = none; GPT models only):
/// new tokens, such as a chat template's markers, that the base model never read.</param>
public sealed record LoraConfig(int Rank, double Alpha, string TargetPattern, double Dropout = 0.0, int Seed = Course.DefaultSeed,
                                int EmbeddingRank = 0, IReadOnlyList<int>? TrainableTokens = null)
{
    /// <summary>The factor applied to <c>B·A·x</c>: <c>Alpha / Rank</c>.</summary>
    public double Scaling => Alpha / Rank;

    /// <summary>Whether the config adapts the token embedding (<see cref="EmbeddingRank"/> or <see cref="TrainableTokens"/>).</summary>
    public bool AdaptsEmbedding => EmbeddingRank != 0 || TrainableTokens is { Count: > 0 };

    /// <summary>Equal when every setting is, the trainable token ids compared as sequences (null = empty).</summary>
    public bool Equals(LoraConfig? other) =>
        other is not null && Rank == other.Rank && Alpha.Equals(other.Alpha) && TargetPattern == other.TargetPattern && Dropout.Equals(other.Dropout) &&
        Seed == other.Seed && EmbeddingRank == other.EmbeddingRank && (TrainableTokens ?? []).SequenceEqual(other.TrainableTokens ?? []);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, Alpha, TargetPattern, Dropout, Seed, EmbeddingRank, (TrainableTokens ?? []).Count);
}
