namespace LlmCourse.Alignment;

/// <summary>
/// The reading lessons (<see cref="ReadingData"/>): copy-from-the-prompt items and tool-use items, each with a
/// training and a held-out split. No held-out item shares a name with a training item.
/// </summary>
/// <param name="Train">Reading items to fine-tune on (family "reading").</param>
/// <param name="HeldOut">Reading items to measure on, about people and places training never names.</param>
/// <param name="LookupTrain">Tool-use transcripts to fine-tune on.</param>
/// <param name="LookupHeldOut">Tool-use items to measure on (run through a tool loop).</param>
public sealed record ReadingSet(IReadOnlyList<InstructionItem> Train, IReadOnlyList<InstructionItem> HeldOut,
    IReadOnlyList<LookupItem> LookupTrain, IReadOnlyList<LookupItem> LookupHeldOut);
