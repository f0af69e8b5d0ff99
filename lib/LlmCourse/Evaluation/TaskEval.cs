using System.Diagnostics;
using LlmCourse.Training;

namespace LlmCourse.Evaluation;

/// <summary>
/// A task eval: every item's prompt goes to an <see cref="Answerer"/>, a <see cref="TaskScorer"/> marks the answer right
/// or wrong, and the result is an accuracy with a 95 % Wilson interval plus one row per item.
/// </summary>
/// <remarks>
/// What it measures: whether the model produces the expected answer to these prompts, as this scorer reads it.
/// The holes: the set is small (the interval says how small), the scorer decides as much as the model (see
/// <see cref="TaskScorer"/>), and items the model saw in training measure memory, not skill (check with
/// <see cref="Contamination"/>).
/// </remarks>
public static class TaskEval
{
    /// <summary>Runs the eval: answers every item in order, scores it, and collects the rows.</summary>
    /// <param name="name">What the eval is called in tables, e.g. "capitalise (held out)".</param>
    /// <param name="items">The items; ids must be unique.</param>
    /// <param name="answer">Produces an answer from (prompt, item seed).</param>
    /// <param name="scorer">Marks each answer.</param>
    /// <param name="seed">The run's seed; item i gets <see cref="ItemSeed"/>(seed, i).</param>
    /// <param name="onRow">Called after each item (progress, streaming a table).</param>
    /// <exception cref="ArgumentException">The set is empty, or two items share an id.</exception>
    /// <exception cref="EvalItemException">The answerer or the scorer threw on an item; the message names it.</exception>
    public static TaskEvalResult Run(string name, IReadOnlyList<TaskItem> items, Answerer answer, TaskScorer scorer,
        int seed = Course.DefaultSeed, Action<TaskEvalRow>? onRow = null)
    {
        CheckItems(name, items);
        var clock = Stopwatch.StartNew();
        var rows = new List<TaskEvalRow>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            string response;
            try
            {
                response = answer(item.Prompt, ItemSeed(seed, i)) ?? "";
            }
            catch (Exception e)
            {
                throw new EvalItemException(item.Id, i,
                    $"Eval '{name}': answering item '{item.Id}' (#{i}, prompt '{Shorten(item.Prompt)}') failed: {e.Message}", e);
            }
            bool correct;
            try
            {
                correct = scorer.IsCorrect(response, item);
            }
            catch (Exception e)
            {
                throw new EvalItemException(item.Id, i,
                    $"Eval '{name}': the scorer '{scorer.Name}' threw on item '{item.Id}' (#{i}) for the answer '{Shorten(response)}': {e.Message}. " +
                    "A scorer must return true or false for any answer, the empty one included: fix the scorer, not the item.", e);
            }
            var row = new TaskEvalRow(item.Id, item.Prompt, item.Expected, response, correct);
            rows.Add(row);
            onRow?.Invoke(row);
        }
        return new TaskEvalResult(name, scorer.Name, seed, rows, clock.Elapsed);
    }

    /// <summary>Runs the eval with an answerer that needs no seed (greedy decoding, a lookup, a test double).</summary>
    /// <inheritdoc cref="Run(string, IReadOnlyList{TaskItem}, Answerer, TaskScorer, int, Action{TaskEvalRow})"/>
    public static TaskEvalResult Run(string name, IReadOnlyList<TaskItem> items, Func<string, string> answer, TaskScorer scorer,
        int seed = Course.DefaultSeed, Action<TaskEvalRow>? onRow = null) =>
        Run(name, items, (prompt, _) => answer(prompt), scorer, seed, onRow);

    /// <summary>
    /// The seed of item <paramref name="index"/> in a run seeded with <paramref name="seed"/>: a fixed mix of both
    /// (SplitMix64), so re-running one item alone reproduces its answer.
    /// </summary>
    public static int ItemSeed(int seed, int index) =>
        unchecked((int)new SeededRandom(((long)seed << 32) ^ (uint)index).NextBits());

    /// <summary>Checks the set is non-empty with unique ids, naming the problem and the fix.</summary>
    internal static void CheckItems(string name, IReadOnlyList<TaskItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
            throw new ArgumentException($"The eval set '{name}' is empty: an accuracy over zero items means nothing. Check the filter or the split that built it.", nameof(items));
        var seen = new HashSet<string>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
                throw new ArgumentException($"Item #{i} of the eval set '{name}' is null.", nameof(items));
            if (!seen.Add(items[i].Id))
                throw new ArgumentException($"Two items of the eval set '{name}' have the id '{items[i].Id}' (the second is #{i}): give each item its own id so rows and errors can name it.", nameof(items));
        }
    }

    internal static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
