using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Model;

/// <summary>
/// One transformer block, pre-norm: <c>x = x + attn(norm(x))</c>, then <c>x = x + mlp(norm(x))</c>. The residual
/// stream x passes straight through; attention (tokens talk to each other) and the MLP (each token thinks alone)
/// only add to it.
/// </summary>
public sealed class TransformerBlock : nn.Module
{
    [ComponentName(Name = "attn_norm")] private readonly nn.Module<Tensor, Tensor> attentionNorm;
    [ComponentName(Name = "attn")] private readonly CausalSelfAttention attention;
    [ComponentName(Name = "mlp_norm")] private readonly nn.Module<Tensor, Tensor> mlpNorm;
    [ComponentName(Name = "mlp")] private readonly nn.Module<Tensor, Tensor> mlp;

    /// <summary>Builds block <paramref name="layer"/> of a model with <paramref name="config"/>.</summary>
    public TransformerBlock(GptConfig config, int layer) : base(nameof(TransformerBlock))
    {
        attentionNorm = Norms.Create(config);
        attention = new CausalSelfAttention(config.Width, config.HeadsAt(layer), config.HeadDim, config.Bias);
        mlpNorm = Norms.Create(config);
        var hidden = config.MlpWidthAt(layer);
        mlp = config.IsMixtureOfExperts
            ? new MixtureOfExperts(config.Width, hidden, config.Experts, config.ExpertsPerToken, config.Mlp, config.Bias, config.Gelu)
            : new FeedForward(config.Width, hidden, config.Mlp, config.Bias, config.Gelu);
        RegisterComponents();
    }

    /// <summary>The attention sub-layer.</summary>
    public CausalSelfAttention Attention => attention;

    /// <summary>The MLP: a <see cref="FeedForward"/> or a <see cref="MixtureOfExperts"/>.</summary>
    public nn.Module<Tensor, Tensor> Mlp => mlp;

    internal (Tensor X, Tensor? AuxLoss) Forward(Tensor x, in LayerContext context)
    {
        using var scope = torch.NewDisposeScope();
        var attended = Dropout(attention.Forward(attentionNorm.call(x), context), context);
        context.Trace?.AddAttentionOutput(attended);
        x = x + attended;

        Tensor? auxLoss = null;
        Tensor thought;
        if (mlp is MixtureOfExperts moe)
        {
            var routed = moe.Route(mlpNorm.call(x));
            context.Trace?.AddRouting(routed.Probabilities, routed.Choices);
            (thought, auxLoss) = (routed.Output, routed.AuxLoss);
        }
        else
        {
            thought = mlp.call(mlpNorm.call(x));
        }
        thought = Dropout(thought, context);
        context.Trace?.AddMlpOutput(thought);
        x = x + thought;
        return (scope.MoveToOuter(x), auxLoss is null ? null : scope.MoveToOuter(auxLoss));
    }

    private static Tensor Dropout(Tensor x, in LayerContext context) =>
        context.Dropout > 0 && context.Training ? F.dropout(x, context.Dropout, training: true) : x;
}
