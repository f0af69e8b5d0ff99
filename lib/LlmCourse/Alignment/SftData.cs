namespace LlmCourse.Alignment;

/// <summary>A conversation that <see cref="SftData.Build(IEnumerable{ChatSample}, ChatTemplate)"/> left out, and why.</summary>
/// <param name="Index">Its position in the input.</param>
/// <param name="Tokens">Its formatted length.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedSample(int Index, int Tokens, string Reason);

/// <summary>
/// Conversations formatted for supervised fine-tuning. Conversations longer than the context are SKIPPED and listed
/// in <see cref="Skipped"/> (a long sample cut short would teach the model an answer without its end); the notebook
/// prints the count. Empty turns and forged chat markers are errors, not skips: they are bugs in the data.
/// </summary>
/// <param name="Examples">The formatted conversations that fit.</param>
/// <param name="Skipped">The ones that did not.</param>
public sealed record SftData(IReadOnlyList<FormattedChat> Examples, IReadOnlyList<SkippedSample> Skipped)
{
    /// <summary>Formats every conversation with <paramref name="template"/>, skipping (and counting) the ones that do not fit.</summary>
    /// <exception cref="ArgumentException">A conversation has an empty user or assistant turn or holds a chat marker (the message names it), or none fits.</exception>
    public static SftData Build(IEnumerable<ChatSample> samples, ChatTemplate template) =>
        Build(samples, template, (sample, index) =>
        {
            try
            {
                return template.CountTokens(sample);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Sample #{index}: {e.Message}", e);
            }
        }, template.Format, "samples", "Shorten the samples.");

    /// <summary>
    /// Formats tool-use transcripts with <see cref="LookupItem.Format"/> (the tool's result out of the loss), skipping
    /// (and counting) the ones that do not fit the context.
    /// </summary>
    /// <exception cref="ArgumentException">None fits.</exception>
    public static SftData Build(IEnumerable<LookupItem> items, ChatTemplate template) =>
        Build(items, template, (item, _) => template.CountTokens(item.ToChat()), item => item.Format(template), "tool-use transcripts", "Shorten them.");

    /// <summary>The one loop behind both public builds: count, skip what does not fit, format the rest.</summary>
    private static SftData Build<T>(IEnumerable<T> items, ChatTemplate template, Func<T, int, int> countTokens, Func<T, FormattedChat> format, string what, string fix)
    {
        var examples = new List<FormattedChat>();
        var skipped = new List<SkippedSample>();
        var index = 0;
        foreach (var item in items)
        {
            var tokens = countTokens(item, index);
            if (tokens > template.ContextLength)
                skipped.Add(new SkippedSample(index, tokens, $"{tokens} tokens > context {template.ContextLength}"));
            else
                examples.Add(format(item));
            index++;
        }
        if (examples.Count == 0)
            throw new ArgumentException($"None of the {index} {what} fits the context of {template.ContextLength} tokens ({skipped.Count} skipped as too long): nothing to train on. {fix}");
        return new SftData(examples, skipped);
    }

    /// <summary>Answer tokens (the ones the loss counts) over all examples.</summary>
    public int AnswerTokens => Examples.Sum(e => e.AnswerTokens);

    /// <summary>One line: how many examples, tokens and skips.</summary>
    public override string ToString() =>
        $"{Examples.Count} conversations, {Examples.Sum(e => e.Length):N0} tokens of which {AnswerTokens:N0} are answer tokens; {Skipped.Count} skipped as longer than the context";
}
