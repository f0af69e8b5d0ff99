using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// A module whose projections can be replaced in place: LoRA wraps them, quantization swaps them for integer
/// versions, pruning puts smaller ones in. <see cref="GptModel.ReplaceModule"/> finds the owner by path.
/// </summary>
public interface ISwappableChildren
{
    /// <summary>Names of the children that may be replaced (e.g. "q_proj").</summary>
    IReadOnlyList<string> SwappableNames { get; }

    /// <summary>Puts <paramref name="replacement"/> where the child <paramref name="name"/> was; the old one is not disposed (a wrapper may still use it).</summary>
    /// <exception cref="ArgumentException">No swappable child has that name.</exception>
    void ReplaceChild(string name, nn.Module<Tensor, Tensor> replacement);
}

internal static class ChildSwap
{
    /// <summary>Re-registers <paramref name="name"/> so parameters(), state_dict() and hooks see the replacement.</summary>
    public static void Reregister(nn.Module parent, string name, nn.Module<Tensor, Tensor> replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        parent.register_module(name, null!); // TorchSharp removes a child registered with null
        parent.register_module(name, replacement);
    }

    public static ArgumentException Unknown(string owner, string name, IEnumerable<string> names) =>
        new($"{owner} has no swappable child '{name}'. It has: {string.Join(", ", names)}.", nameof(name));
}
