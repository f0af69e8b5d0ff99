using System.Text.RegularExpressions;
using LlmCourse.Evaluation;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Tokenization;

namespace LlmCourse.Alignment;

/// <summary>
/// The plainest test of reading: can a model continue a sentence it has just read? Each probe is plain text, no chat
/// template: the facts of a reading item, then the start of the asked fact again, cut right before the name:
/// <code>
/// Mr. Wetbu travelled to Tonfesstar. Miss Hale went to Brook. Mr. Wetbu travelled to   →   " Tonfesstar"
/// </code>
/// A model with an induction circuit (find the earlier occurrence of what it just read, copy what came next) gets
/// these right without any instruction tuning; a model without one guesses. The names are invented, so no memory helps.
/// </summary>
public static partial class CopyProbe
{
    /// <summary>A full stop and space that end a sentence, not a title ("Mr. ", "Mrs. ", "Dr. ").</summary>
    [GeneratedRegex(@"(?<!\b(?:Mr|Mrs|Dr))\. ")]
    private static partial Regex SentenceEnd();

    /// <summary>
    /// Probes from reading items (family "reading"): prompt = the item's facts + the asked fact up to its value;
    /// expected = the value with its leading space (the value is the last field of the item's instance).
    /// </summary>
    /// <exception cref="ArgumentException">An item is not a reading item, or its value is not in its facts.</exception>
    public static IReadOnlyList<TaskItem> Items(IEnumerable<InstructionItem> readingItems) => readingItems.Select(item =>
    {
        if (item.Family != "reading")
            throw new ArgumentException($"Item '{item.Id}' is a '{item.Family}' item; copy probes are made from reading items (ReadingData).", nameof(readingItems));
        var value = " " + item.Instance.Split('|')[^1];
        var ends = SentenceEnd().Matches(item.User).Select(m => m.Index + 1).ToList(); // just past each sentence's full stop
        var facts = ends.Count > 0 ? item.User[..ends[^1]] : ""; // the question is the last sentence
        var at = facts.IndexOf(value + ".", StringComparison.Ordinal);
        if (at < 0)
            throw new ArgumentException($"Item '{item.Id}': the value '{value.Trim()}' of its instance is not in its facts.", nameof(readingItems));
        var sentenceStart = ends.Where(e => e < at).Select(e => e + 1).DefaultIfEmpty(0).Max();
        return new TaskItem(item.Id, facts + " " + facts[sentenceStart..at], value);
    }).ToList();

    /// <summary>How a probe is scored: the continuation starts with the name (whatever follows it).</summary>
    public static TaskScorer Scorer { get; } =
        TaskScorer.Custom("continues with the name", (answer, item) => answer.TrimStart().StartsWith(item.Expected.Trim(), StringComparison.Ordinal));

    /// <summary>Runs the probes on <paramref name="model"/>: greedy continuation of a few tokens more than the longest name.</summary>
    /// <exception cref="ArgumentException">No probes.</exception>
    public static TaskEvalResult Run(GptModel model, ITokenizer tokenizer, IReadOnlyList<TaskItem> probes, string name)
    {
        if (probes.Count == 0)
            throw new ArgumentException($"The copy probe '{name}' has no items.", nameof(probes));
        var tokens = probes.Max(p => tokenizer.Encode(p.Expected).Length) + 2;
        var answer = ModelAnswerers.Create(model, tokenizer, ModelAnswerers.DefaultOptions(tokenizer, tokens));
        return new EvalTask(name, probes, Scorer).Run(answer);
    }
}
