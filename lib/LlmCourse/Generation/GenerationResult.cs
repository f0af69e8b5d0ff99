namespace LlmCourse.Generation;

/// <summary>What <see cref="TextGenerator.Generate"/> produced and how long it took.</summary>
/// <param name="Prompt">The prompt ids the model actually read (after cropping).</param>
/// <param name="Generated">The new token ids, in order (without a stop token).</param>
/// <param name="StoppedBy">The stop token that ended the generation, or null (max tokens reached).</param>
/// <param name="CroppedPromptTokens">Tokens dropped from the prompt's start because it exceeded the context.</param>
/// <param name="PrefillTime">Time of the first forward pass over the prompt (it yields the first new token's logits).</param>
/// <param name="DecodeTime">Time of all later steps together.</param>
/// <param name="DecodeSteps">Forward passes after the prefill.</param>
/// <param name="StepLogits">Each step's next-token logits when <see cref="GenerationOptions.RecordLogits"/> is on, else empty.</param>
/// <param name="Warnings">Warnings raised (also sent to <see cref="GenerationOptions.OnWarning"/>).</param>
public sealed record GenerationResult(
    IReadOnlyList<int> Prompt,
    IReadOnlyList<int> Generated,
    int? StoppedBy,
    int CroppedPromptTokens,
    TimeSpan PrefillTime,
    TimeSpan DecodeTime,
    int DecodeSteps,
    IReadOnlyList<float[]> StepLogits,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Decode speed: tokens per second over the steps after the prefill.</summary>
    public double DecodeTokensPerSecond => DecodeSteps == 0 ? double.NaN : DecodeSteps / DecodeTime.TotalSeconds;

    /// <summary>Prompt tokens processed per second in the prefill.</summary>
    public double PrefillTokensPerSecond => Prompt.Count / PrefillTime.TotalSeconds;
}
