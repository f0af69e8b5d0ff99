using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// Conversations of different lengths stacked into [batch, longest − 1] tensors for one SFT step:
/// <see cref="Inputs"/> (the ids without the last), <see cref="Labels"/> (each position's next id) and
/// <see cref="LossMask"/> (true where that next id is an answer token). Short rows are padded at the end: input 0,
/// label 0, mask false. Attention is causal, so no real position ever looks at a padding position, and a false mask
/// keeps padding out of the loss; padding changes nothing.
/// </summary>
public sealed class SftBatch : IDisposable
{
    private SftBatch(Tensor inputs, Tensor labels, Tensor lossMask)
    {
        Inputs = inputs;
        Labels = labels;
        LossMask = lossMask;
    }

    /// <summary>Token ids the model reads, [batch, time] int64.</summary>
    public Tensor Inputs { get; }

    /// <summary>The next id at every position, [batch, time] int64 (0 on padding).</summary>
    public Tensor Labels { get; }

    /// <summary>True where the position's label counts in the loss (an answer token), [batch, time] bool.</summary>
    public Tensor LossMask { get; }

    /// <summary>Stacks <paramref name="examples"/> into one batch, padding to <paramref name="width"/> (default: the longest).</summary>
    /// <exception cref="ArgumentException">No examples, or a width shorter than the longest example.</exception>
    public static SftBatch Create(IReadOnlyList<FormattedChat> examples, int? width = null)
    {
        if (examples.Count == 0)
            throw new ArgumentException("An SFT batch needs at least one conversation.", nameof(examples));
        var longest = examples.Max(e => e.Length - 1);
        var time = width ?? longest;
        if (time < longest)
            throw new ArgumentException($"width = {time} is shorter than the longest example ({longest} positions); use at least {longest}.", nameof(width));
        var inputs = new long[examples.Count * time];
        var labels = new long[examples.Count * time];
        var mask = new bool[examples.Count * time];
        for (var b = 0; b < examples.Count; b++)
        {
            var chat = examples[b];
            for (var t = 0; t < chat.Length - 1; t++)
            {
                inputs[b * time + t] = chat.Ids[t];
                labels[b * time + t] = chat.Ids[t + 1];
                mask[b * time + t] = chat.AnswerMask[t + 1];
            }
        }
        long[] shape = [examples.Count, time];
        return new SftBatch(torch.tensor(inputs, shape), torch.tensor(labels, shape), torch.tensor(mask, shape));
    }

    /// <summary>
    /// The SFT loss: mean cross-entropy over the positions where <paramref name="lossMask"/> is true, i.e. the answer
    /// tokens only. Every other label is replaced by the ignore index first, so its value cannot matter.
    /// </summary>
    /// <exception cref="ArgumentException">The three tensors differ in shape, or the mask selects nothing.</exception>
    public static Tensor Loss(GptModel model, Tensor inputs, Tensor labels, Tensor lossMask)
    {
        if (!labels.shape.SequenceEqual(inputs.shape) || !lossMask.shape.SequenceEqual(inputs.shape))
            throw new ArgumentException($"inputs [{string.Join(", ", inputs.shape)}], labels [{string.Join(", ", labels.shape)}] and mask [{string.Join(", ", lossMask.shape)}] must have one shape.");
        if (!lossMask.any().item<bool>())
            throw new ArgumentException("The loss mask selects no token: a batch without answer tokens has no SFT loss. Check the chat template's mask.");
        using var scope = NewDisposeScope();
        var targets = labels.masked_fill(lossMask.logical_not(), FormattedChat.IgnoreTarget);
        return scope.MoveToOuter(model.Loss(inputs, targets));
    }

    /// <summary>This batch's SFT loss under <paramref name="model"/>.</summary>
    public Tensor Loss(GptModel model) => Loss(model, Inputs, Labels, LossMask);

    /// <summary>Answer tokens in the batch.</summary>
    public long AnswerTokens => LossMask.sum().item<long>();

    /// <summary>Frees the three tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
        LossMask.Dispose();
    }
}
