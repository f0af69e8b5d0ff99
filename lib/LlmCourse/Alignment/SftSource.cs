namespace LlmCourse.Alignment;

/// <summary>
/// One stream of training conversations for an <see cref="SftTrainer"/> and its share of every batch. Shares are
/// fixed per batch, not left to chance: a source of 800 instructions next to 3,000 reading lessons would otherwise be
/// drowned, and the small set that needs several passes would get less than one.
/// </summary>
/// <param name="Name">For reports, e.g. "instructions".</param>
/// <param name="Data">The formatted conversations.</param>
/// <param name="Weight">Relative share of each batch (positive).</param>
public sealed record SftSource(string Name, SftData Data, double Weight)
{
    /// <summary>
    /// How many conversations of a batch of <paramref name="batchSize"/> each source gives: proportional to the
    /// weights, rounded by largest remainder (ties to the earlier source), so the counts add up to the batch size.
    /// </summary>
    /// <exception cref="ArgumentException">No sources, a weight that is not positive, or a source that would get no conversation at all.</exception>
    public static int[] Apportion(IReadOnlyList<SftSource> sources, int batchSize)
    {
        if (sources.Count == 0)
            throw new ArgumentException("No training sources: give at least one.", nameof(sources));
        foreach (var s in sources)
            if (!(s.Weight > 0) || double.IsInfinity(s.Weight))
                throw new ArgumentException($"Source '{s.Name}' has weight {s.Weight}: use a positive, finite weight.", nameof(sources));
        var total = sources.Sum(s => s.Weight);
        var exact = sources.Select(s => s.Weight / total * batchSize).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (var i in Enumerable.Range(0, counts.Length).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take(batchSize - counts.Sum()))
            counts[i]++;
        for (var i = 0; i < counts.Length; i++)
            if (counts[i] == 0)
                throw new ArgumentException(
                    $"Source '{sources[i].Name}' (weight {sources[i].Weight}) gets no conversation in a batch of {batchSize}: raise its weight or the batch size.", nameof(sources));
        return counts;
    }
}
