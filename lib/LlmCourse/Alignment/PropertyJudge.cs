namespace LlmCourse.Alignment;

/// <summary>
/// The checkable property as a judge of sampled answers: an answer scores 1 when it finished (wrote the end token
/// within its budget) and its text is good by <see cref="AnswerQuality.IsGood"/> (correct, concise, one line), else 0.
/// It knows each prompt's instruction item, so it can grade any answer to those prompts: it builds on-policy pairs
/// (<see cref="OnPolicyPairs"/>) and, passed as the reward, makes RLOO's reward verifiable instead of learned.
/// </summary>
/// <remarks>
/// Unlike a reward model it has no blind spots to exploit inside what it checks; what it does not check (politeness,
/// style, anything past the answer's first line) it cannot reward. That is the honest limit of a verifiable reward.
/// </remarks>
public sealed class PropertyJudge
{
    private readonly ChatTemplate template;
    private readonly Dictionary<string, InstructionItem> itemByPrompt = new(StringComparer.Ordinal);

    /// <summary>A judge for answers to <paramref name="items"/>' prompts, formatted with <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentException">No items, or two items with the same prompt but different answers or checks (the judge could not tell which applies).</exception>
    public PropertyJudge(ChatTemplate template, IEnumerable<InstructionItem> items)
    {
        this.template = template;
        foreach (var item in items)
        {
            var key = Key(template.PromptIds(item.User, item.System));
            if (itemByPrompt.TryGetValue(key, out var other) && (other.Answer != item.Answer || other.Check != item.Check))
                throw new ArgumentException($"Items '{other.Id}' and '{item.Id}' have the same prompt but different answers ('{other.Answer}' vs '{item.Answer}'): " +
                                            "a judge keyed by prompt cannot tell which one applies. Drop one of them.", nameof(items));
            itemByPrompt.TryAdd(key, item);
        }
        if (itemByPrompt.Count == 0)
            throw new ArgumentException("No items: the judge needs the instruction items whose answers it will grade.", nameof(items));
    }

    /// <summary>The prompts the judge knows, as ids (one per distinct prompt, in the items' order).</summary>
    public IReadOnlyList<int[]> Prompts => itemByPrompt.Values.Select(i => template.PromptIds(i.User, i.System)).ToList();

    /// <summary>The item a prompt was made from.</summary>
    /// <exception cref="ArgumentException">The prompt is not one of the judge's items'.</exception>
    public InstructionItem ItemOf(int[] prompt) =>
        itemByPrompt.TryGetValue(Key(prompt), out var item) ? item
            : throw new ArgumentException($"The prompt '{template.Tokenizer.Decode(prompt)}' is not one of the {itemByPrompt.Count} items this judge was built with. " +
                                          "Build the judge from the items whose prompts you sample.", nameof(prompt));

    /// <summary>The answer's text: its tokens up to the end token.</summary>
    public string Text(SampledResponse response) => template.AnswerText(response.Tokens);

    /// <summary>Whether the answer has the property: finished and <see cref="AnswerQuality.IsGood"/>.</summary>
    public bool IsGood(InstructionItem item, SampledResponse response) => response.Finished && AnswerQuality.IsGood(item, Text(response));

    /// <summary>
    /// What is wrong with an answer, in the terms of <see cref="RejectionKind"/>, form before content: it did not stop
    /// (cut off at the budget, or more than one line) → <see cref="RejectionKind.RunsOn"/>; else it is too long →
    /// <see cref="RejectionKind.Rambling"/>; else it is wrong → <see cref="RejectionKind.Wrong"/>; null when it is good.
    /// </summary>
    public RejectionKind? Fault(InstructionItem item, SampledResponse response)
    {
        var text = Text(response);
        if (!response.Finished || !AnswerQuality.IsOneLine(text))
            return RejectionKind.RunsOn;
        if (!AnswerQuality.IsConcise(item, text))
            return RejectionKind.Rambling;
        return AnswerQuality.IsCorrect(item, text) ? null : RejectionKind.Wrong;
    }

    /// <summary>1 for every good answer, 0 for the others: a <see cref="ResponseReward"/> for <see cref="OnPolicyPairs"/> and <see cref="RlooTrainer"/>.</summary>
    /// <exception cref="ArgumentException">The prompt is not one of the judge's items'.</exception>
    public double[] Score(int[] prompt, IReadOnlyList<SampledResponse> responses)
    {
        var item = ItemOf(prompt);
        return responses.Select(r => IsGood(item, r) ? 1.0 : 0.0).ToArray();
    }

    private static string Key(int[] prompt) => string.Join(',', prompt);
}
