using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// The one place that asks "how likely does this model find this answer?": log-probabilities of the answer tokens
/// only, prompt and padding masked out. DPO compares them between policy and reference, RLOO pushes them up or down
/// by the advantage, and the KL penalty is their difference. Under autograd unless called inside <c>no_grad</c>.
/// </summary>
public static class AnswerLogProbs
{
    /// <summary>Log-softmax over the vocabulary at every target position: [batch, time − 1, vocab].</summary>
    public static Tensor Distributions(GptModel model, AnswerBatch batch)
    {
        using var scope = NewDisposeScope();
        var time = batch.Ids.shape[1];
        var logits = model.call(batch.Ids.narrow(1, 0, time - 1));
        return scope.MoveToOuter(logits.log_softmax(-1));
    }

    /// <summary>The log-probability of each target token, 0 where the target is not an answer token: [batch, time − 1].</summary>
    public static Tensor PerToken(Tensor distributions, AnswerBatch batch)
    {
        using var scope = NewDisposeScope();
        var picked = distributions.gather(-1, batch.Targets.unsqueeze(-1)).squeeze(-1);
        return scope.MoveToOuter(picked * batch.AnswerMask);
    }

    /// <summary>The log-probability of each row's whole answer, log π(answer | prompt) = Σ over answer tokens: [batch].</summary>
    public static Tensor Sum(GptModel model, AnswerBatch batch)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(PerToken(Distributions(model, batch), batch).sum(-1));
    }

    /// <summary><see cref="Sum"/> without autograd, as numbers (for a frozen reference or a report).</summary>
    public static double[] SumNoGrad(GptModel model, AnswerBatch batch)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Sum(model, batch).data<float>().Select(v => (double)v).ToArray();
    }
}
