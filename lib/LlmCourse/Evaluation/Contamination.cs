namespace LlmCourse.Evaluation;

/// <summary>One eval item's overlap with the training corpus.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Ngrams">The item's n-grams (0 when it has fewer than n words: too short to judge).</param>
/// <param name="Seen">How many of them appear in the corpus.</param>
/// <param name="Flagged">Seen / Ngrams reached the threshold.</param>
public sealed record ContaminationRow(string Id, int Ngrams, int Seen, bool Flagged)
{
    /// <summary>Share of the item's n-grams found in the corpus (0 for an item too short to have any).</summary>
    public double Fraction => Ngrams == 0 ? 0 : (double)Seen / Ngrams;
}

/// <summary>
/// Which eval items the model may have read in training: each item's word n-grams are looked up in the training
/// corpus (<see cref="NgramIndex"/>) and an item is flagged when the share found reaches a threshold. Then
/// <see cref="ContaminationReport.Split"/> shows the score with and without the flagged items: a model that does much
/// better on them is reciting, not solving.
/// </summary>
/// <remarks>
/// The holes: it finds verbatim copies only, so a paraphrase, a translation or the same fact in other words passes
/// as clean; items shorter than n words cannot be checked at all (reported as <see cref="ContaminationReport.TooShort"/>);
/// and a low n flags clichés that every text shares.
/// </remarks>
public static class Contamination
{
    /// <summary>Checks each task item's prompt and expected answer together.</summary>
    /// <inheritdoc cref="Check(NgramIndex, IEnumerable{ValueTuple{string, string}}, double)"/>
    public static ContaminationReport Check(NgramIndex index, IEnumerable<TaskItem> items, double threshold = 0.5) =>
        Check(index, items.Select(i => (i.Id, i.Prompt + "\n" + i.Expected)), threshold);

    /// <summary>Checks each (id, text) against the index.</summary>
    /// <param name="index">The training corpus's n-grams.</param>
    /// <param name="items">The eval items (at least one; ids unique).</param>
    /// <param name="threshold">Flag an item when at least this share of its n-grams is in the corpus, in (0, 1].</param>
    /// <exception cref="ArgumentException">No items, a duplicate id, or a threshold outside (0, 1].</exception>
    public static ContaminationReport Check(NgramIndex index, IEnumerable<(string Id, string Text)> items, double threshold = 0.5)
    {
        if (!(threshold is > 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold is a share of an item's n-grams, in (0, 1]: 0.5 flags items half copied, 1 only full copies.");
        var rows = new List<ContaminationRow>();
        var ids = new HashSet<string>();
        foreach (var (id, text) in items)
        {
            if (!ids.Add(id))
                throw new ArgumentException($"Two eval items have the id '{id}': give each its own so the report can name it.", nameof(items));
            var (ngrams, seen) = index.Overlap(text);
            rows.Add(new ContaminationRow(id, ngrams, seen, ngrams > 0 && (double)seen / ngrams >= threshold));
        }
        if (rows.Count == 0)
            throw new ArgumentException("There are no eval items to check: pass the eval set.", nameof(items));
        return new ContaminationReport(index.N, threshold, rows);
    }
}

/// <summary>Per-item n-gram overlap with the training corpus, and which items are flagged.</summary>
/// <param name="N">Words per n-gram.</param>
/// <param name="Threshold">Share of n-grams that flags an item.</param>
/// <param name="Rows">One row per item.</param>
public sealed record ContaminationReport(int N, double Threshold, IReadOnlyList<ContaminationRow> Rows)
{
    /// <summary>Ids of the flagged items.</summary>
    public IReadOnlyList<string> Contaminated => Rows.Where(r => r.Flagged).Select(r => r.Id).ToList();

    /// <summary>Ids of the items that were checked and not flagged.</summary>
    public IReadOnlyList<string> Clean => Rows.Where(r => !r.Flagged && r.Ngrams > 0).Select(r => r.Id).ToList();

    /// <summary>Ids of items with fewer than <see cref="N"/> words: not checkable, counted as clean by <see cref="Split"/>.</summary>
    public IReadOnlyList<string> TooShort => Rows.Where(r => r.Ngrams == 0).Select(r => r.Id).ToList();

    /// <summary>
    /// The eval's score on all items, on the unflagged ones, and on the flagged ones. A flagged score well above the
    /// clean one means the headline number is inflated by memorisation.
    /// </summary>
    /// <exception cref="ArgumentException">The result's items are not the ones this report checked.</exception>
    public ContaminationSplit Split(TaskEvalResult result)
    {
        var flagged = Rows.Where(r => r.Flagged).Select(r => r.Id).ToHashSet();
        var known = Rows.Select(r => r.Id).ToHashSet();
        if (result.Rows.FirstOrDefault(r => !known.Contains(r.Id)) is { } unknown)
            throw new ArgumentException($"Item '{unknown.Id}' of '{result.Name}' was not checked for contamination: check the same eval set you scored.", nameof(result));
        TaskEvalResult? Part(bool contaminated, string suffix) =>
            result.Rows.Any(r => flagged.Contains(r.Id) == contaminated) ? result.Where(id => flagged.Contains(id) == contaminated, $"{result.Name} ({suffix})") : null;
        return new ContaminationSplit(result, Part(false, "clean"), Part(true, "contaminated"));
    }

    /// <summary>The rows as a table: id, n-grams, seen, share, flag; flagged items first.</summary>
    public string ToTable(int maxRows = 20)
    {
        var rows = Rows.OrderByDescending(r => r.Flagged).ThenByDescending(r => r.Fraction).ToList();
        var table = TextTable.Render(["id", $"{N}-grams", "in corpus", "share", "flagged"],
            rows.Take(maxRows).Select(r => (IReadOnlyList<string>)[r.Id, r.Ngrams.ToString(), r.Seen.ToString(),
                r.Ngrams == 0 ? "too short" : FormattableString.Invariant($"{r.Fraction:P0}"), r.Flagged ? "yes" : ""]),
            rightAligned: new HashSet<int> { 1, 2, 3 });
        return rows.Count > maxRows ? table + $"({rows.Count - maxRows} more rows)\n" : table;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{Contaminated.Count} of {Rows.Count} items flagged ({N}-grams, threshold {Threshold:P0}); {TooShort.Count} too short to check");
}

/// <summary>An eval's score on all items, on the clean ones and on the contaminated ones (null when a part is empty).</summary>
/// <param name="All">Every item.</param>
/// <param name="Clean">Items not flagged (too-short items included).</param>
/// <param name="Contaminated">Flagged items.</param>
public sealed record ContaminationSplit(TaskEvalResult All, TaskEvalResult? Clean, TaskEvalResult? Contaminated)
{
    /// <summary>The three scores as a table.</summary>
    public string ToTable() => TaskEvalResult.Summary(new[] { All, Clean, Contaminated }.OfType<TaskEvalResult>());

    /// <inheritdoc/>
    public override string ToString() => ToTable();
}
