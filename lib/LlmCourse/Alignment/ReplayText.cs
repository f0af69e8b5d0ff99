using LlmCourse.Data;
using LlmCourse.Tokenization;
using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// Plain pretraining text for an <see cref="SftTrainer"/>: training ids to <b>replay</b> (windows of ordinary
/// language-model loss mixed into every fine-tuning step, so the weights keep serving the old task while they learn
/// the new one) and held-out ids to measure what the fine-tune costs the old task (bits per character).
/// </summary>
public sealed class ReplayText : IDisposable
{
    private static readonly Lock CacheLock = new();
    private static (ITokenizer Tokenizer, Corpus Corpus, int[] Train, int[] Validation)? cached;

    /// <summary>Wraps token streams; <paramref name="validationCharacters"/> is the length of the text <paramref name="validation"/> encodes.</summary>
    /// <exception cref="ArgumentException">A stream is shorter than two tokens, or the character count is not positive.</exception>
    public ReplayText(IReadOnlyList<int> train, IReadOnlyList<int> validation, long validationCharacters)
    {
        if (train.Count < 2 || validation.Count < 2)
            throw new ArgumentException($"Replay needs at least two tokens of training and of held-out text (got {train.Count} and {validation.Count}).");
        if (validationCharacters < 1)
            throw new ArgumentException($"validationCharacters = {validationCharacters}: give the length of the held-out text the ids encode.", nameof(validationCharacters));
        TrainTokens = train;
        Validation = tensor(validation.Select(t => (long)t).ToArray()).DetachFromDisposeScope();
        ValidationTokens = validation.Count;
        ValidationCharacters = validationCharacters;
    }

    /// <summary>
    /// The corpus's training chapters to replay and its validation chapters to measure on, both encoded by
    /// <paramref name="tokenizer"/> (a few seconds; the ids are cached for the last corpus and tokenizer).
    /// </summary>
    public static ReplayText FromCorpus(Corpus corpus, ITokenizer tokenizer)
    {
        int[] train, validation;
        lock (CacheLock)
        {
            if (cached is { } c && ReferenceEquals(c.Corpus, corpus) && ReferenceEquals(c.Tokenizer, tokenizer))
                (train, validation) = (c.Train, c.Validation);
            else
            {
                (train, validation) = (tokenizer.Encode(corpus.Train, SpecialTokenPolicy.AsText), tokenizer.Encode(corpus.Validation, SpecialTokenPolicy.AsText));
                cached = (tokenizer, corpus, train, validation);
            }
        }
        return new ReplayText(train, validation, corpus.Validation.Length);
    }

    /// <summary>The training ids windows are drawn from.</summary>
    public IReadOnlyList<int> TrainTokens { get; }

    /// <summary>The held-out ids, int64.</summary>
    public Tensor Validation { get; }

    /// <summary>Held-out tokens.</summary>
    public long ValidationTokens { get; }

    /// <summary>Characters of the held-out text.</summary>
    public long ValidationCharacters { get; }

    /// <summary>
    /// Mean held-out loss (nats per token) of <paramref name="model"/> over <paramref name="windows"/> non-overlapping
    /// windows spread evenly over the held-out text (all of them when null).
    /// </summary>
    public double HeldOutLoss(Model.GptModel model, int? windows = null) => Training.HeldOutLoss.MeanOfTensor(model, Validation, windows);

    /// <summary>A held-out loss in nats per token as bits per character of the held-out text.</summary>
    public double BitsPerCharacter(double natsPerToken) => Training.HeldOutLoss.BitsPerCharacter(natsPerToken, ValidationTokens, ValidationCharacters);

    /// <summary>Frees the held-out tensor.</summary>
    public void Dispose() => Validation.Dispose();
}
