using LlmCourse.Alignment;
using LlmCourse.Model;

namespace LlmCourse.Tests.Alignment;

/// <summary>Tiny models and toy preference data for the alignment tests.</summary>
internal static class AlignmentToys
{
    public const int Vocab = 24;
    public const int Stop = 0;
    public const int Liked = 5;
    public const int Disliked = 7;

    public static GptModel Model(int seed = 3) => new(GptConfig.Tiny(Vocab), seed);

    /// <summary>
    /// A separable preference set: random prompts; the chosen answer holds the liked token somewhere, the rejected one
    /// the disliked token in the same place; otherwise both are the same random tokens and both end with the stop id.
    /// </summary>
    public static List<PreferenceIds> Pairs(int count, int seed)
    {
        var random = new Random(seed);
        int Filler() => 8 + random.Next(Vocab - 8);
        var pairs = new List<PreferenceIds>();
        for (var i = 0; i < count; i++)
        {
            var prompt = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => Filler()).ToArray();
            var body = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => Filler()).ToArray();
            var slot = random.Next(body.Length);
            var chosen = body.ToArray();
            var rejected = body.ToArray();
            chosen[slot] = Liked;
            rejected[slot] = Disliked;
            pairs.Add(new PreferenceIds(prompt, [.. chosen, Stop], [.. rejected, Stop]));
        }
        return pairs;
    }
}
