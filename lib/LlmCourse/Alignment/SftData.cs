namespace LlmCourse.Alignment;

/// <summary>A conversation that <see cref="SftData.Build"/> left out, and why.</summary>
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
    public static SftData Build(IEnumerable<ChatSample> samples, ChatTemplate template)
    {
        var examples = new List<FormattedChat>();
        var skipped = new List<SkippedSample>();
        var index = 0;
        foreach (var sample in samples)
        {
            int tokens;
            try
            {
                tokens = template.CountTokens(sample);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Sample #{index}: {e.Message}", e);
            }
            if (tokens > template.ContextLength)
                skipped.Add(new SkippedSample(index, tokens, $"{tokens} tokens > context {template.ContextLength}"));
            else
                examples.Add(template.Format(sample));
            index++;
        }
        if (examples.Count == 0)
            throw new ArgumentException($"None of the {index} samples fits the context of {template.ContextLength} tokens ({skipped.Count} skipped as too long): nothing to train on. Shorten the samples.");
        return new SftData(examples, skipped);
    }

    /// <summary>Answer tokens (the ones the loss counts) over all examples.</summary>
    public int AnswerTokens => Examples.Sum(e => e.AnswerTokens);

    /// <summary>One line: how many examples, tokens and skips.</summary>
    public override string ToString() =>
        $"{Examples.Count} conversations, {Examples.Sum(e => e.Length):N0} tokens of which {AnswerTokens:N0} are answer tokens; {Skipped.Count} skipped as longer than the context";
}
