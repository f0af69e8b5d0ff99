using System.Globalization;
using LlmCourse.Evaluation;

namespace LlmCourse.Lenses;

/// <summary>The four places a complaint about a model's answers can be fixed.</summary>
public enum Lens
{
    /// <summary>Nothing changed: the complaint as it stands.</summary>
    None,

    /// <summary>The parameters: fine-tuning.</summary>
    Weights,

    /// <summary>What the model reads: the prompt.</summary>
    Context,

    /// <summary>The program around the model: system prompt, retrieval, tools.</summary>
    Scaffolding,

    /// <summary>How tokens are picked from the model's probabilities.</summary>
    Decoding,
}

/// <summary>One attempted fix and what it cost.</summary>
/// <param name="Lens">The lens it works through.</param>
/// <param name="Fix">What was done, e.g. "fact in the prompt".</param>
/// <param name="Result">The task eval after the fix (accuracy with its 95 % interval).</param>
/// <param name="SetupTime">One-off time the fix needed before answering (fine-tuning, building an index); zero if none.</param>
/// <param name="PromptTokens">Mean tokens the model read per question (the prompt, plus tool results written into the reply).</param>
/// <param name="ParametersChanged">Weights the fix changed.</param>
public sealed record LensFix(Lens Lens, string Fix, TaskEvalResult Result, TimeSpan SetupTime, double PromptTokens, long ParametersChanged)
{
    /// <summary>
    /// The ledger: one row per fix with accuracy, its interval, the change against <paramref name="baseline"/>'s
    /// accuracy, one-off setup time, answer time per question, mean prompt tokens (and extra over the baseline) and
    /// parameters changed.
    /// </summary>
    public static string Table(IReadOnlyList<LensFix> fixes, LensFix baseline)
    {
        static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        return TextTable.Render(
            ["lens", "fix", "accuracy", "95% interval", "vs baseline", "setup", "answer time/question", "prompt tokens", "parameters changed"],
            fixes.Select(f => (IReadOnlyList<string>)
            [
                f.Lens == Lens.None ? "—" : f.Lens.ToString().ToLowerInvariant(),
                f.Fix,
                Fmt($"{f.Result.Correct}/{f.Result.Total} = {f.Result.Accuracy:P0}"),
                f.Result.Interval.ToString(),
                ReferenceEquals(f, baseline) ? "" : Fmt($"{(f.Result.Accuracy - baseline.Result.Accuracy) * 100:+0;-0;0} pts"),
                f.SetupTime == TimeSpan.Zero ? "0" : Fmt($"{f.SetupTime.TotalSeconds:F1} s"),
                Fmt($"{f.Result.Elapsed.TotalMilliseconds / Math.Max(1, f.Result.Total):F0} ms"),
                Fmt($"{f.PromptTokens:F0} ({f.PromptTokens - baseline.PromptTokens:+0;-0;+0})"),
                f.ParametersChanged.ToString("N0", CultureInfo.InvariantCulture),
            ]),
            maxCellWidth: 40, rightAligned: new HashSet<int> { 2, 4, 5, 6, 7, 8 });
    }
}
