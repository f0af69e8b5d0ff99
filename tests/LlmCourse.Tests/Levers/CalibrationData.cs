using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

/// <summary>
/// Synthetic layer inputs shaped like a transformer's: correlated channels (a low-rank signal plus noise), per-channel
/// magnitudes that vary several-fold, and a few outlier channels ~20× larger than the rest, as LLM.int8() and AWQ
/// describe. Seeded; a different seed gives held-out data from the same distribution.
/// </summary>
internal static class CalibrationData
{
    public const int InFeatures = 128, OutFeatures = 64;
    private static readonly int[] OutlierChannels = [7, 40, 93];

    /// <summary>(rows × 128) inputs; the mixing and channel magnitudes are fixed, only the samples depend on <paramref name="seed"/>.</summary>
    public static Tensor Inputs(int rows, int seed)
    {
        var structure = new Generator(2024);
        var mixing = randn(16, InFeatures, generator: structure);
        var magnitude = (randn(InFeatures, generator: structure) * 0.5).exp();
        magnitude[tensor(OutlierChannels)] = tensor(20f);
        var g = new Generator((ulong)seed);
        var signal = randn(rows, 16, generator: g).mm(mixing) / 4;
        var noise = randn(rows, InFeatures, generator: g) * 0.3;
        return (signal + noise) * magnitude;
    }

    /// <summary>A weight like a trained layer's: Gaussian with a few larger entries.</summary>
    public static Tensor Weight(int seed = 3)
    {
        var g = new Generator((ulong)seed);
        var w = randn(OutFeatures, InFeatures, generator: g) * 0.05;
        return w + (rand(OutFeatures, InFeatures, generator: g) < 0.01).to(ScalarType.Float32) * 0.2;
    }

    /// <summary>Mean squared output error of a quantized weight on inputs <paramref name="x"/>.</summary>
    public static double OutputError(Tensor x, Tensor weight, Tensor quantized) =>
        (x.mm(weight.t()) - x.mm(quantized.t())).pow(2).mean().item<float>();
}
