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
public sealed record LoraConfig(int Rank, double Alpha, string TargetPattern, double Dropout = 0.0, int Seed = Course.DefaultSeed)
{
    /// <summary>The factor applied to <c>B·A·x</c>: <c>Alpha / Rank</c>.</summary>
    public double Scaling => Alpha / Rank;
}
