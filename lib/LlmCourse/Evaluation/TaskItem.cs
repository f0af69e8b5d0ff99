namespace LlmCourse.Evaluation;

/// <summary>One question of a task eval: what the model is asked, and the answer a scorer compares with.</summary>
/// <param name="Id">A name unique within the set (shown in tables and error messages), e.g. "capitalise-17".</param>
/// <param name="Prompt">The text the model continues, chat template included if the model needs one.</param>
/// <param name="Expected">The reference answer.</param>
public sealed record TaskItem(string Id, string Prompt, string Expected);
