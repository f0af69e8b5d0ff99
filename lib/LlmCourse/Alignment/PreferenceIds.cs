namespace LlmCourse.Alignment;

/// <summary>
/// One preference as token ids: a prompt (ending where the assistant starts) and two answers to it, the chosen one
/// better than the rejected one. Answers include their closing end token, so a model is also judged on stopping.
/// This is what the reward model, DPO and the evaluations consume; build it from text with the chat template.
/// </summary>
/// <param name="Prompt">The prompt's ids.</param>
/// <param name="Chosen">The preferred answer's ids.</param>
/// <param name="Rejected">The dispreferred answer's ids.</param>
public sealed record PreferenceIds(int[] Prompt, int[] Chosen, int[] Rejected)
{
    /// <summary>Checks the pair can teach something; returns it unchanged.</summary>
    /// <param name="index">The pair's position in its set, named in the message.</param>
    /// <exception cref="ArgumentException">An empty prompt or answer, or chosen equal to rejected.</exception>
    public PreferenceIds Validate(int index = 0)
    {
        if (Prompt is null || Prompt.Length == 0)
            throw new ArgumentException($"Preference pair #{index} has an empty prompt: both answers must respond to something. Build the prompt with the chat template.");
        if (Chosen is null || Chosen.Length == 0 || Rejected is null || Rejected.Length == 0)
            throw new ArgumentException($"Preference pair #{index} has an empty {(Chosen is null || Chosen.Length == 0 ? "chosen" : "rejected")} answer. " +
                                        "Drop the pair, or give the answer at least its closing end token.");
        if (Chosen.AsSpan().SequenceEqual(Rejected))
            throw new ArgumentException($"Preference pair #{index} has chosen == rejected ({Chosen.Length} identical tokens): it states no preference, " +
                                        "and its Bradley–Terry and DPO gradients are exactly zero. Drop it or fix the data generator.");
        return this;
    }

    /// <summary>The same pair with the answers swapped (the preference reversed).</summary>
    public PreferenceIds Swapped() => new(Prompt, Rejected, Chosen);
}
