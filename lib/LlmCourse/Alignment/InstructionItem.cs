using LlmCourse.Evaluation;

namespace LlmCourse.Alignment;

/// <summary>How an answer to an <see cref="InstructionItem"/> is checked (no human needed).</summary>
public enum AnswerCheck
{
    /// <summary>The trimmed answer equals the trimmed ideal answer (word tasks, counts, copies: one right spelling).</summary>
    Exact,

    /// <summary>The answer contains the ideal answer (facts: "Jane Bennet, her sister" is right for "Jane Bennet").</summary>
    Contains,
}

/// <summary>One instruction with its ideal answer, made from a template over the fact table or a word task.</summary>
/// <param name="Id">Unique within the whole data set, e.g. "train-capitals-007".</param>
/// <param name="Family">The task family, e.g. "capitals", "novel", "context" (per-family accuracy groups by it).</param>
/// <param name="Instance">The template instance: phrasing + slot values, e.g. "sister#1|Jane Bennet". Train and held-out never share one.</param>
/// <param name="System">An optional system instruction.</param>
/// <param name="User">The user's message.</param>
/// <param name="Answer">The ideal answer, as the model should write it (the reading families start it with a space: see <see cref="ReadingData"/>).</param>
/// <param name="Check">How a model's answer is scored.</param>
public sealed record InstructionItem(string Id, string Family, string Instance, string? System, string User, string Answer, AnswerCheck Check)
{
    /// <summary>The item as a conversation (the ideal answer as the assistant's turn).</summary>
    public ChatSample ToChat() => new(System, User, Answer);

    /// <summary>Whether <paramref name="answer"/> is right by <see cref="Check"/>. Never throws; null and empty are wrong.</summary>
    public bool IsCorrect(string? answer) => answer is not null && Check switch
    {
        AnswerCheck.Exact => string.Equals(answer.Trim(), Answer.Trim(), StringComparison.Ordinal),
        _ => answer.Contains(Answer, StringComparison.Ordinal),
    };

    /// <summary>The item for <see cref="TaskEval"/>: the prompt is the chat template's prompt text (ending with &lt;|assistant|&gt;).</summary>
    public TaskItem ToTaskItem(ChatTemplate template) => new(Id, template.PromptText(User, System), Answer);
}
