namespace LlmCourse.Evaluation;

/// <summary>
/// One needle-in-a-haystack prompt: filler tokens with the needle spliced in at an exact token position, then the
/// question. <see cref="PromptIds"/> is what the model reads; <see cref="Prompt"/> is the same as text, for display
/// and for text-level answerers.
/// </summary>
/// <param name="PromptIds">Filler before the needle, the needle, filler after it, the question: <see cref="Length"/> tokens in all.</param>
/// <param name="Prompt">The prompt decoded to text.</param>
/// <param name="Key">The hidden key, e.g. "47".</param>
/// <param name="NeedlePosition">Token index where the needle starts.</param>
/// <param name="NeedleLength">Tokens of the needle.</param>
/// <param name="Depth">The requested depth: 0 = the needle opens the haystack, 1 = it ends right before the question.</param>
/// <param name="AnswerIds">The ideal answer's tokens (for a retrieval fine-tune: train on <c>PromptIds + AnswerIds</c>, loss on the answer only).</param>
public sealed record NeedleCase(int[] PromptIds, string Prompt, string Key, int NeedlePosition, int NeedleLength, double Depth, int[] AnswerIds)
{
    /// <summary>Tokens in the prompt.</summary>
    public int Length => PromptIds.Length;

    /// <summary>Prompt followed by the ideal answer: one training sequence.</summary>
    public int[] TrainingIds => [.. PromptIds, .. AnswerIds];

    /// <summary>Token id that tells the loss to skip a position (<see cref="Model.GptModel.Loss"/> ignores −100).</summary>
    public const int IgnoreTarget = -100;

    /// <summary>
    /// One next-token training example: inputs = <see cref="TrainingIds"/> without its last token, targets = the same
    /// shifted by one. With <paramref name="answerOnly"/> every target before the answer is <see cref="IgnoreTarget"/>,
    /// so the model is taught to retrieve, not to predict Austen (it already learned that in pretraining).
    /// </summary>
    public (int[] Inputs, int[] Targets) TrainingExample(bool answerOnly = true)
    {
        var ids = TrainingIds;
        var targets = ids[1..];
        if (answerOnly)
            Array.Fill(targets, IgnoreTarget, 0, PromptIds.Length - 1);
        return (ids[..^1], targets);
    }
}
