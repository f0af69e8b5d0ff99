using System.Globalization;

namespace LlmCourse.Evaluation;

/// <summary>Needle trials whose needle sat <paramref name="Low"/>..<paramref name="High"/> tokens before the end of the prompt (<see cref="NeedleGrid.ByDistance"/>).</summary>
/// <param name="Low">Smallest distance in the band, in tokens.</param>
/// <param name="High">Largest distance in the band; <see cref="int.MaxValue"/> for the open last band.</param>
/// <param name="Right">Trials answered with the key.</param>
/// <param name="Trials">Trials in the band, at least 1.</param>
public sealed record NeedleBand(int Low, int High, int Right, int Trials)
{
    /// <summary>Share of right answers.</summary>
    public double Accuracy => Right / (double)Trials;

    /// <summary>95 % Wilson interval of <see cref="Accuracy"/>.</summary>
    public ConfidenceInterval Interval => ConfidenceInterval.Wilson(Right, Trials);

    /// <summary>"1–96", "97–128", or "&gt; 128" for the open band.</summary>
    public string Label => High == int.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"> {Low - 1}")
        : string.Create(CultureInfo.InvariantCulture, $"{Low}–{High}");
}
