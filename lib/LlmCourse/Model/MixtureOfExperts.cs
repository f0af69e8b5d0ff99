using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>What a Mixture-of-Experts layer computed.</summary>
/// <param name="Output">[..., width]: each token's weighted sum of its experts' outputs.</param>
/// <param name="AuxLoss">The load-balancing loss (a scalar; 1 when perfectly balanced).</param>
/// <param name="Probabilities">[tokens, experts]: the router's softmax for every token.</param>
/// <param name="Choices">[tokens, k]: the experts each token was sent to, best first.</param>
/// <param name="Gates">[tokens, k]: the weights given to those experts (they sum to 1 per token).</param>
public sealed record MoeOutput(Tensor Output, Tensor AuxLoss, Tensor Probabilities, Tensor Choices, Tensor Gates);

/// <summary>
/// A Mixture-of-Experts MLP: several expert MLPs and a router that sends each token to its top-k experts. The
/// model gains parameters (knowledge) while each token still pays for only k MLPs. A load-balancing loss keeps the
/// router from sending everything to one favourite expert (Switch Transformer, Fedus et al. 2021).
/// </summary>
public sealed class MixtureOfExperts : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "router")] private readonly Linear router;
    [ComponentName(Name = "experts")] private readonly ModuleList<FeedForward> experts;

    /// <summary>How many experts each token uses.</summary>
    public int TopK { get; }

    /// <summary>Number of experts.</summary>
    public int Count => experts.Count;

    /// <summary>Creates <paramref name="count"/> experts of the given shape, each token routed to <paramref name="topK"/>.</summary>
    public MixtureOfExperts(int width, int hidden, int count, int topK, MlpKind kind, bool bias, GeluApproximation gelu = GeluApproximation.None)
        : base(nameof(MixtureOfExperts))
    {
        if (count < 2 || topK < 1 || topK > count)
            throw new ArgumentException($"A Mixture of Experts needs at least 2 experts and 1 ≤ top-k ≤ experts (got {count} experts, top-{topK}).");
        TopK = topK;
        router = Layers.Linear(width, count, bias: false);
        experts = nn.ModuleList(Enumerable.Range(0, count).Select(_ => new FeedForward(width, hidden, kind, bias, gelu)).ToArray());
        RegisterComponents();
    }

    /// <summary>The expert MLPs (each one swappable like a dense MLP).</summary>
    public IReadOnlyList<FeedForward> Experts => experts.ToList();

    /// <summary>The output only (for use as a plain MLP); <see cref="Route"/> also returns the auxiliary loss.</summary>
    public override Tensor forward(Tensor x)
    {
        var routed = Route(x);
        routed.AuxLoss.Dispose();
        routed.Probabilities.Dispose();
        routed.Choices.Dispose();
        routed.Gates.Dispose();
        return routed.Output;
    }

    /// <summary>Routes every token of <paramref name="x"/> ([..., width]) to its top-k experts and mixes their outputs.</summary>
    public MoeOutput Route(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var width = x.shape[^1];
        var tokens = x.reshape(-1, width);
        var probabilities = router.call(tokens).softmax(-1);
        var (topProbabilities, choices) = probabilities.topk(TopK, dim: -1);
        var gates = topProbabilities / topProbabilities.sum(-1, keepdim: true); // renormalised over the chosen k
        var output = torch.zeros_like(tokens);
        for (var e = 0; e < experts.Count; e++)
        {
            var chosen = choices.eq(e);                       // [tokens, k]
            var rows = chosen.any(-1).nonzero().squeeze(-1);  // tokens sent to expert e
            if (rows.shape[0] == 0)
                continue;
            var gate = (gates * chosen).sum(-1).index_select(0, rows).unsqueeze(-1);
            var expertOut = experts[e].call(tokens.index_select(0, rows)) * gate;
            output = output.index_add(0, rows, expertOut, alpha: 1);
        }
        var auxLoss = LoadBalancingLoss(probabilities, choices, experts.Count);
        return new MoeOutput(scope.MoveToOuter(output.reshape(x.shape)), scope.MoveToOuter(auxLoss),
            scope.MoveToOuter(probabilities), scope.MoveToOuter(choices), scope.MoveToOuter(gates));
    }

    /// <summary>
    /// Switch Transformer's balancing loss: experts · Σₑ fₑ·Pₑ, with fₑ the share of routing slots given to expert e
    /// and Pₑ its mean router probability. Equal to 1 when both are uniform; larger when the router plays favourites.
    /// Only Pₑ carries a gradient (fₑ is a count).
    /// </summary>
    public static Tensor LoadBalancingLoss(Tensor probabilities, Tensor choices, int experts)
    {
        using var scope = torch.NewDisposeScope();
        var slots = choices.numel();
        var share = torch.zeros(experts, dtype: probabilities.dtype)
            .index_add(0, choices.reshape(-1), torch.ones(slots, dtype: probabilities.dtype), alpha: 1) / slots;
        var meanProbability = probabilities.mean([0L]);
        return scope.MoveToOuter((share * meanProbability).sum() * experts);
    }
}
