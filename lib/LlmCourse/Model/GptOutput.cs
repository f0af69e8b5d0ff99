using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>The result of <see cref="GptModel.Run"/>. Dispose it (or let a dispose scope do it).</summary>
/// <param name="Logits">[batch, time, vocab] scores for the next token at every position ([batch, 1, vocab] with lastPositionOnly).</param>
/// <param name="AuxLoss">The Mixture-of-Experts load-balancing loss summed over layers; null for a dense model.</param>
public sealed record GptOutput(Tensor Logits, Tensor? AuxLoss) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Logits.Dispose();
        AuxLoss?.Dispose();
    }
}
