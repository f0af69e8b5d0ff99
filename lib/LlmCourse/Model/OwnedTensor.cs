using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Creates long-lived tensors that an object owns (tables, caches): never captured by the caller's dispose scope and
/// never created as inference tensors, whatever mode the caller happens to be in when a table grows.
/// </summary>
internal static class OwnedTensor
{
    /// <summary>A float32 tensor of the given shape holding <paramref name="values"/>.</summary>
    public static Tensor From(float[] values, params long[] shape) => Create(() => tensor(values, shape));

    /// <summary>Runs <paramref name="make"/> outside inference mode and detaches the result from every dispose scope.</summary>
    public static Tensor Create(Func<Tensor> make)
    {
        // An inference tensor cannot later take part in autograd ("Inference tensors cannot be saved for backward"):
        // a table first grown during generation would break the next training step.
        using var normalMode = torch.inference_mode(false);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope(); // frees make()'s temporaries
        var result = make();
        result.DetachFromDisposeScope();
        return result;
    }
}
