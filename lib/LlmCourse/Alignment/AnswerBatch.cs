using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// Several (prompt, answer) sequences packed into one padded tensor, with the bookkeeping every alignment loss needs:
/// which next-token targets are answer tokens (prompts and padding are never scored) and where each sequence's last
/// real token is (the reward model reads its score there). Rows are padded on the right; attention is causal, so no
/// real token ever sees the padding.
/// </summary>
public sealed class AnswerBatch : IDisposable
{
    private AnswerBatch(Tensor ids, Tensor targets, Tensor answerMask, Tensor lastIndex, int[] answerLengths)
    {
        Ids = ids;
        Targets = targets;
        AnswerMask = answerMask;
        LastIndex = lastIndex;
        AnswerLengths = answerLengths;
    }

    /// <summary>Token ids [batch, time], int64, right-padded.</summary>
    public Tensor Ids { get; }

    /// <summary>Next-token targets [batch, time − 1]: the id at t + 1 (padding positions hold the pad id and are masked).</summary>
    public Tensor Targets { get; }

    /// <summary>[batch, time − 1] float: 1 where the target at t is an answer token, else 0.</summary>
    public Tensor AnswerMask { get; }

    /// <summary>[batch] int64: the position of each row's last real token.</summary>
    public Tensor LastIndex { get; }

    /// <summary>Answer tokens per row.</summary>
    public IReadOnlyList<int> AnswerLengths { get; }

    /// <summary>Number of rows.</summary>
    public int Count => AnswerLengths.Count;

    /// <summary>Packs rows of (prompt, answer) ids.</summary>
    /// <param name="rows">Each row: a non-empty prompt and a non-empty answer.</param>
    /// <param name="contextLength">The model's context; a row longer than it is an error.</param>
    /// <param name="padId">Id written into padding (never scored; any valid id).</param>
    /// <exception cref="ArgumentException">No rows, an empty prompt or answer, or a row longer than the context; the message names the row.</exception>
    public static AnswerBatch Create(IReadOnlyList<(int[] Prompt, int[] Answer)> rows, int contextLength, int padId = 0)
    {
        if (rows.Count == 0)
            throw new ArgumentException("No rows to pack: give at least one (prompt, answer).", nameof(rows));
        for (var r = 0; r < rows.Count; r++)
        {
            var (prompt, answer) = rows[r];
            if (prompt is null || prompt.Length == 0)
                throw new ArgumentException($"Row {r} has an empty prompt: the first answer token needs something to be predicted from. Start the prompt with the chat template.", nameof(rows));
            if (answer is null || answer.Length == 0)
                throw new ArgumentException($"Row {r} has an empty answer: there is nothing to score. Give the answer at least its closing end token, or drop the row.", nameof(rows));
            if (prompt.Length + answer.Length > contextLength)
                throw new ArgumentException($"Row {r} is {prompt.Length} + {answer.Length} = {prompt.Length + answer.Length} tokens, longer than the model's context of {contextLength}. " +
                                            "Shorten or skip it before batching (AnswerBatch.Fits tells which rows fit).", nameof(rows));
        }
        var width = rows.Max(r => r.Prompt.Length + r.Answer.Length);
        var ids = new long[rows.Count * width];
        var mask = new float[rows.Count * (width - 1)];
        var last = new long[rows.Count];
        Array.Fill(ids, padId);
        for (var r = 0; r < rows.Count; r++)
        {
            var (prompt, answer) = rows[r];
            var length = prompt.Length + answer.Length;
            for (var t = 0; t < length; t++)
                ids[r * width + t] = t < prompt.Length ? prompt[t] : answer[t - prompt.Length];
            // Target t is token t + 1: answer tokens are targets prompt.Length − 1 … length − 2.
            for (var t = prompt.Length - 1; t < length - 1; t++)
                mask[r * (width - 1) + t] = 1;
            last[r] = length - 1;
        }
        var all = tensor(ids, [rows.Count, width]);
        return new AnswerBatch(all, all.narrow(1, 1, width - 1).contiguous(), tensor(mask, [rows.Count, width - 1]), tensor(last), rows.Select(r => r.Answer.Length).ToArray());
    }

    /// <summary>True when a row of this prompt and answer fits the context.</summary>
    public static bool Fits(int[] prompt, int[] answer, int contextLength) => prompt.Length + answer.Length <= contextLength;

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Ids.Dispose();
        Targets.Dispose();
        AnswerMask.Dispose();
        LastIndex.Dispose();
    }
}
