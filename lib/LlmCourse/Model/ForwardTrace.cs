using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Opt-in recording of what happens inside one forward pass: pass it to <see cref="GptModel.Run"/>. It owns the
/// recorded tensors (detached from autograd) until the next run or <see cref="Dispose"/>.
/// </summary>
/// <example><code>
/// using var trace = new ForwardTrace { Attention = true, ResidualStream = true };
/// using var output = model.Run(ids, trace: trace);
/// var head3OfLayer1 = trace.AttentionWeights[1][0, 3];   // [time, time]
/// </code></example>
public sealed class ForwardTrace : IDisposable
{
    private readonly List<Tensor> residualStream = [], attentionOutputs = [], mlpOutputs = [], attentionWeights = [],
        routerProbabilities = [], expertChoices = [];

    /// <summary>Record every layer's attention weights (forces the explicit attention path for that run).</summary>
    public bool Attention { get; init; }

    /// <summary>Record the residual stream after the embedding and after each block, and what each block's attention and MLP added.</summary>
    public bool ResidualStream { get; init; }

    /// <summary>Record the Mixture-of-Experts router's probabilities and choices per layer.</summary>
    public bool Routing { get; init; }

    /// <summary>Layers + 1 tensors [batch, time, width]: the stream after the embedding (0) and after block l (l + 1), before the final norm.</summary>
    public IReadOnlyList<Tensor> Residuals => residualStream;

    /// <summary>Per layer [batch, time, width]: what attention added to the stream.</summary>
    public IReadOnlyList<Tensor> AttentionOutputs => attentionOutputs;

    /// <summary>Per layer [batch, time, width]: what the MLP added to the stream.</summary>
    public IReadOnlyList<Tensor> MlpOutputs => mlpOutputs;

    /// <summary>Per layer [batch, heads, queries, keys]: each head's attention weights (rows sum to 1).</summary>
    public IReadOnlyList<Tensor> AttentionWeights => attentionWeights;

    /// <summary>Per layer [tokens, experts]: the router's probabilities (Mixture of Experts only).</summary>
    public IReadOnlyList<Tensor> RouterProbabilities => routerProbabilities;

    /// <summary>Per layer [tokens, k]: the experts chosen for each token (Mixture of Experts only).</summary>
    public IReadOnlyList<Tensor> ExpertChoices => expertChoices;

    internal void AddResidual(Tensor x) => Keep(residualStream, x, ResidualStream);
    internal void AddAttentionOutput(Tensor x) => Keep(attentionOutputs, x, ResidualStream);
    internal void AddMlpOutput(Tensor x) => Keep(mlpOutputs, x, ResidualStream);
    internal void AddAttentionWeights(Tensor x) => Keep(attentionWeights, x, Attention);
    internal void AddRouting(Tensor probabilities, Tensor choices)
    {
        Keep(routerProbabilities, probabilities, Routing);
        Keep(expertChoices, choices, Routing);
    }

    private static void Keep(List<Tensor> list, Tensor x, bool wanted)
    {
        if (wanted)
            list.Add(x.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Frees everything recorded (done automatically at the start of each run).</summary>
    public void Clear()
    {
        foreach (var list in new[] { residualStream, attentionOutputs, mlpOutputs, attentionWeights, routerProbabilities, expertChoices })
        {
            foreach (var t in list)
                t.Dispose();
            list.Clear();
        }
    }

    /// <summary>Frees everything recorded.</summary>
    public void Dispose() => Clear();
}
