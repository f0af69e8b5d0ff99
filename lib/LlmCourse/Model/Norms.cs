using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>Builds the normalisation a config asks for.</summary>
public static class Norms
{
    /// <summary>A LayerNorm (with bias if <see cref="GptConfig.Bias"/>) or an <see cref="RmsNorm"/> over <see cref="GptConfig.Width"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(GptConfig config) => config.Norm switch
    {
        NormKind.LayerNorm => nn.LayerNorm(config.Width, config.NormEpsilon, elementwise_affine: true, bias: config.Bias),
        NormKind.RmsNorm => new RmsNorm(config.Width, config.NormEpsilon),
        _ => throw new ArgumentOutOfRangeException(nameof(config), $"Unknown norm {config.Norm}."),
    };
}
