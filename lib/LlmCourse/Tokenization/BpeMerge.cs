namespace LlmCourse.Tokenization;

/// <summary>One learned merge: tokens <paramref name="Left"/> and <paramref name="Right"/>, side by side, became token <paramref name="Id"/>.</summary>
/// <param name="Left">Id of the left token.</param>
/// <param name="Right">Id of the right token.</param>
/// <param name="Id">Id of the new token (its rank: lower ids were learned earlier and are merged first).</param>
/// <param name="Count">How often the pair occurred in the training text when it was chosen (0 if unknown).</param>
public sealed record BpeMerge(int Left, int Right, int Id, long Count);
