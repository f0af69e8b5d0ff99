using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

internal static class ModelTestData
{
    /// <summary>Random token ids [batch, time] in 0..vocab−1 from a private generator.</summary>
    public static Tensor Ids(int vocab, int batch, int time, ulong seed = 7)
    {
        using var generator = new Generator(seed);
        return torch.randint(0, vocab, [batch, time], generator: generator, dtype: ScalarType.Int64);
    }

    public static double MaxDifference(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return (a - b).abs().max().ToDouble();
    }
}
