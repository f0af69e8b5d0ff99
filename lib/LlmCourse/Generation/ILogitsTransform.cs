using static TorchSharp.torch;

namespace LlmCourse.Generation;

/// <summary>
/// One step of reshaping next-token logits before sampling: temperature, top-k, top-p, ... Transforms compose
/// (see <see cref="LogitsPipeline"/>). A token a transform rules out gets the logit −∞, so its probability is exactly 0.
/// </summary>
public interface ILogitsTransform
{
    /// <summary>Returns new logits (the input is not modified). <paramref name="logits"/> is [vocab] or [batch, vocab].</summary>
    Tensor Apply(Tensor logits);
}
