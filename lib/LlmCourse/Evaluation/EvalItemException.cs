namespace LlmCourse.Evaluation;

/// <summary>An eval failed on one item; the message names the item and the step (answering, scoring, judging) that failed.</summary>
public sealed class EvalItemException : Exception
{
    /// <summary>Creates the error for item <paramref name="itemId"/> at <paramref name="index"/>.</summary>
    public EvalItemException(string itemId, int index, string message, Exception? inner = null) : base(message, inner)
    {
        ItemId = itemId;
        Index = index;
    }

    /// <summary>The failing item's id.</summary>
    public string ItemId { get; }

    /// <summary>The failing item's position in the set, from 0.</summary>
    public int Index { get; }
}
