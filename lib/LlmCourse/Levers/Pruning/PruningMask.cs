using LlmCourse.Training;
using static TorchSharp.torch;

namespace LlmCourse.Levers.Pruning;

/// <summary>
/// The masks of an unstructured pruning: for each pruned weight matrix, which entries are zero. Training moves
/// every entry that has a gradient, zeros included, so the mask has to be enforced again after each update.
/// </summary>
/// <remarks>
/// <para>How the course keeps pruned weights at zero: <b>re-apply the mask to the weights after every optimizer
/// step</b> (<see cref="Apply"/>; <see cref="KeepAppliedDuring"/> does it for a <see cref="Trainer"/>). It works with
/// any optimizer, momentum and weight decay included, and the model stays a plain <c>GptModel</c> that saves, loads
/// and quantizes as before.</para>
/// <para>The gradients of pruned entries are still computed (the zeros are real multiplications) and still count in
/// the trainer's gradient-clipping norm, a small effect. A hand-written loop can remove it with
/// <see cref="MaskGradients"/> between <c>backward()</c> and the step; with a fresh Adam, masked gradients alone keep
/// the zeros at zero (the moments of a pruned entry never leave 0).</para>
/// </remarks>
public sealed class PruningMask : IDisposable
{
    internal PruningMask(IReadOnlyList<MaskedWeight> weights, PruningScope scope, double requestedSparsity)
    {
        Weights = weights;
        Scope = scope;
        RequestedSparsity = requestedSparsity;
    }

    /// <summary>Every pruned weight with its mask, in the model's order.</summary>
    public IReadOnlyList<MaskedWeight> Weights { get; }

    /// <summary>Per layer or global ranking.</summary>
    public PruningScope Scope { get; }

    /// <summary>The share of the targeted weights that was asked to be pruned.</summary>
    public double RequestedSparsity { get; }

    /// <summary>Pruned entries over all masked weights.</summary>
    public long PrunedCount => Weights.Sum(w => w.PrunedCount);

    /// <summary>Entries in all masked weights.</summary>
    public long Count => Weights.Sum(w => w.Count);

    /// <summary>The pruned share of all masked weights (equals the requested share up to rounding to whole weights).</summary>
    public double Sparsity => (double)PrunedCount / Count;

    /// <summary>Sets every pruned entry to zero (again). Call it after each optimizer step.</summary>
    public void Apply()
    {
        using var _ = no_grad();
        foreach (var w in Weights)
            w.Weight.masked_fill_(w.Pruned, 0);
    }

    /// <summary>Sets the gradient of every pruned entry to zero; call it between <c>backward()</c> and the optimizer step.</summary>
    public void MaskGradients()
    {
        using var _ = no_grad();
        foreach (var w in Weights)
            w.Weight.grad?.masked_fill_(w.Pruned, 0);
    }

    /// <summary>
    /// Re-applies the mask after every optimizer step <paramref name="trainer"/> takes in <see cref="Trainer.Train"/>
    /// (before its validation, so measured losses are of the pruned model). Dispose the result to stop.
    /// <see cref="Trainer.TrainStep"/> raises no event: after calling it directly, call <see cref="Apply"/> yourself.
    /// </summary>
    public IDisposable KeepAppliedDuring(Trainer trainer)
    {
        void Reapply(StepReport _) => Apply();
        trainer.StepCompleted += Reapply;
        return new Unsubscribe(() => trainer.StepCompleted -= Reapply);
    }

    /// <summary>One line: how much was pruned, and how.</summary>
    public override string ToString() =>
        $"{Scope} magnitude pruning: {PrunedCount:N0} of {Count:N0} weights in {Weights.Count} matrices at zero ({Sparsity:P1})";

    /// <summary>Frees the masks (the model's weights stay as they are).</summary>
    public void Dispose()
    {
        foreach (var w in Weights)
            w.Pruned.Dispose();
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        private Action? pending = action;

        public void Dispose()
        {
            pending?.Invoke();
            pending = null;
        }
    }
}
