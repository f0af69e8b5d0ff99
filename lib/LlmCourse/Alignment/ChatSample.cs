namespace LlmCourse.Alignment;

/// <summary>One exchange: an optional system instruction, the user's message and the assistant's ideal answer.</summary>
/// <param name="System">Instructions for the assistant, or null for none.</param>
/// <param name="User">What the user says.</param>
/// <param name="Assistant">What the assistant should answer (without the closing marker; the template adds it).</param>
public sealed record ChatSample(string? System, string User, string Assistant);

/// <summary>
/// A conversation as ids, with the loss mask: <see cref="AnswerMask"/>[i] is true when token i belongs to the
/// assistant's answer (its closing <c>&lt;|end|&gt;</c> included), the only tokens supervised fine-tuning learns to write.
/// </summary>
/// <param name="Ids">The formatted conversation.</param>
/// <param name="AnswerMask">One flag per id.</param>
public sealed record FormattedChat(int[] Ids, bool[] AnswerMask)
{
    /// <summary>Target value that <see cref="Model.GptModel.Loss"/> skips (cross-entropy's ignore index).</summary>
    public const int IgnoreTarget = -100;

    /// <summary>Tokens in the conversation.</summary>
    public int Length => Ids.Length;

    /// <summary>Tokens the loss counts.</summary>
    public int AnswerTokens => AnswerMask.Count(m => m);

    /// <summary>
    /// One next-token example: inputs are the ids without the last; the target at position t is the id at t + 1 when
    /// that id is an answer token, and <see cref="IgnoreTarget"/> otherwise. Predicting the user's words is not the
    /// assistant's job, so those positions teach nothing.
    /// </summary>
    public (int[] Inputs, int[] Targets) TrainingExample()
    {
        var targets = new int[Ids.Length - 1];
        for (var t = 0; t < targets.Length; t++)
            targets[t] = AnswerMask[t + 1] ? Ids[t + 1] : IgnoreTarget;
        return (Ids[..^1], targets);
    }
}
