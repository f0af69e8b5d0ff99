namespace LlmCourse.Alignment;

/// <summary>What is wrong with the rejected answer of a <see cref="PreferencePair"/>.</summary>
public enum RejectionKind
{
    /// <summary>A short, well-formed answer that is wrong (another item's answer of the same task).</summary>
    Wrong,

    /// <summary>The right answer followed by a long, empty tail: correct but not concise.</summary>
    Rambling,

    /// <summary>The right answer, then the model does not stop: it runs on into a new paragraph of novel prose, as a base model does.</summary>
    RunsOn,
}

/// <summary>
/// One preference: the same prompt answered twice, the chosen answer better than the rejected one by the checkable
/// rule <see cref="AnswerQuality.IsGood"/> (correct, concise, one line, as a chat answer should be).
/// </summary>
/// <param name="Id">Unique within the data set, e.g. "train-pref-0042".</param>
/// <param name="ItemId">The <see cref="InstructionItem"/> the pair was made from.</param>
/// <param name="Family">That item's task family.</param>
/// <param name="System">The optional system instruction.</param>
/// <param name="User">The user's message.</param>
/// <param name="Chosen">The preferred answer (the item's ideal answer).</param>
/// <param name="Rejected">The dispreferred answer.</param>
/// <param name="Kind">What is wrong with <paramref name="Rejected"/>.</param>
public sealed record PreferencePair(string Id, string ItemId, string Family, string? System, string User, string Chosen, string Rejected, RejectionKind Kind)
{
    /// <summary>The chosen answer as a conversation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ChatSample ChosenChat => new(System, User, Chosen);

    /// <summary>The rejected answer as a conversation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ChatSample RejectedChat => new(System, User, Rejected);

    /// <summary>Checks the pair can teach something; returns it unchanged.</summary>
    /// <exception cref="ArgumentException">An answer is empty, or chosen equals rejected (a pair with no preference); the message names the pair.</exception>
    public PreferencePair Validate()
    {
        if (string.IsNullOrWhiteSpace(User))
            throw new ArgumentException($"Preference pair '{Id}' has an empty prompt. Every pair needs the user message both answers respond to.");
        if (string.IsNullOrWhiteSpace(Chosen) || string.IsNullOrWhiteSpace(Rejected))
            throw new ArgumentException($"Preference pair '{Id}' has an empty {(string.IsNullOrWhiteSpace(Chosen) ? "chosen" : "rejected")} answer. Drop the pair or give both answers text.");
        if (string.Equals(Chosen.Trim(), Rejected.Trim(), StringComparison.Ordinal))
            throw new ArgumentException($"Preference pair '{Id}' has chosen == rejected ('{Chosen}'): it expresses no preference and its loss gradient is zero. Drop it or change the rejected answer.");
        return this;
    }

    /// <summary>
    /// Formats both answers with the template, or returns false when either is longer than the context (callers skip
    /// such pairs and count them).
    /// </summary>
    /// <exception cref="ArgumentException">The pair is invalid (see <see cref="Validate"/>).</exception>
    public bool TryFormat(ChatTemplate template, out FormattedChat chosen, out FormattedChat rejected)
    {
        Validate();
        chosen = rejected = null!;
        if (!template.Fits(ChosenChat) || !template.Fits(RejectedChat))
            return false;
        chosen = template.Format(ChosenChat);
        rejected = template.Format(RejectedChat);
        return true;
    }
}
