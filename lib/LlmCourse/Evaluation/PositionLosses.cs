namespace LlmCourse.Evaluation;

/// <summary>
/// Mean loss at each position of a window, averaged over many windows: "perplexity by position". Loss falls with
/// position while more context helps; a model used past the length it was trained on shows a cliff where its
/// positions run out.
/// </summary>
/// <remarks>The hole: each position's mean comes from only <see cref="Windows"/> samples, so use enough windows (tens) before reading wiggles.</remarks>
/// <param name="MeanNats">Entry p: mean loss (nats) of the token at window position p + 1, predicted from p + 1 tokens.</param>
/// <param name="Windows">How many windows were averaged.</param>
public sealed record PositionLosses(IReadOnlyList<double> MeanNats, int Windows)
{
    /// <summary>e^(mean loss) at each position.</summary>
    public IReadOnlyList<double> Perplexity => MeanNats.Select(Math.Exp).ToArray();

    /// <summary>Mean loss over positions [<paramref name="from"/>, <paramref name="to"/>): e.g. inside vs past the trained context.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An empty or out-of-range span.</exception>
    public double MeanOver(int from, int to)
    {
        if (from < 0 || to > MeanNats.Count || from >= to)
            throw new ArgumentOutOfRangeException(nameof(from), $"Positions [{from}, {to}) are not a non-empty span of 0..{MeanNats.Count}.");
        return MeanNats.Skip(from).Take(to - from).Average();
    }
}
