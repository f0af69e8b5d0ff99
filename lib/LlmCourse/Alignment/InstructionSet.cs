using LlmCourse.Evaluation;

namespace LlmCourse.Alignment;

/// <summary>The instruction data: a training split and a held-out split that share no template instance.</summary>
/// <param name="Train">Items to fine-tune on.</param>
/// <param name="HeldOut">Items to measure on; none of their instances occurs in <paramref name="Train"/>.</param>
public sealed record InstructionSet(IReadOnlyList<InstructionItem> Train, IReadOnlyList<InstructionItem> HeldOut)
{
    /// <summary>The task families, in the order they first appear.</summary>
    public IReadOnlyList<string> Families => Train.Concat(HeldOut).Select(i => i.Family).Distinct().ToList();

    /// <summary>
    /// A ready-to-run eval over <paramref name="items"/> (e.g. <see cref="HeldOut"/>): prompts in the chat template,
    /// each answer scored by its own item's <see cref="AnswerCheck"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No items.</exception>
    public static EvalTask Eval(string name, IReadOnlyList<InstructionItem> items, ChatTemplate template)
    {
        if (items.Count == 0)
            throw new ArgumentException($"The eval '{name}' has no items: pick a non-empty split or family.", nameof(items));
        var byId = items.ToDictionary(i => i.Id);
        var scorer = TaskScorer.Custom("per item (exact or contains)", (answer, item) => byId[item.Id].IsCorrect(answer));
        return new EvalTask(name, items.Select(i => i.ToTaskItem(template)).ToList(), scorer);
    }
}
