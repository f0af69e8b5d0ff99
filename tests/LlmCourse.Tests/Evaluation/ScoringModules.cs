using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Evaluation;

/// <summary>A "model" whose logits are the same for every position: every token gets probability 1/V.</summary>
internal sealed class ConstantLogits(int vocabularySize) : nn.Module<Tensor, Tensor>(nameof(ConstantLogits))
{
    public int Calls { get; private set; }

    public override Tensor forward(Tensor ids)
    {
        Calls++;
        return torch.full([ids.shape[0], ids.shape[1], vocabularySize], 3.5f);
    }
}

/// <summary>A bigram "model" with known probabilities: the logits at each position are log P(next | this token).</summary>
internal sealed class BigramLogits : nn.Module<Tensor, Tensor>
{
    private readonly Tensor logProbabilities;

    /// <param name="probabilities">[previous][next]; each row sums to 1.</param>
    public BigramLogits(double[,] probabilities) : base(nameof(BigramLogits))
    {
        logProbabilities = torch.tensor(probabilities).log().to(ScalarType.Float32);
    }

    /// <summary>−ln P(next | previous) for the same table, for hand checks.</summary>
    public static double Nats(double[,] probabilities, IReadOnlyList<int> ids) =>
        Enumerable.Range(1, ids.Count - 1).Sum(i => -Math.Log(probabilities[ids[i - 1], ids[i]]));

    public override Tensor forward(Tensor ids) => logProbabilities.index_select(0, ids.reshape(-1)).reshape(ids.shape[0], ids.shape[1], -1);
}
