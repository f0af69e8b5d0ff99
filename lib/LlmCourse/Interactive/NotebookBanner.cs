using System.Reflection;
using TorchSharp;

namespace LlmCourse.Interactive;

/// <summary>
/// The one line the shared notebook setup prints once everything is loaded, so a student sees at a glance which mode
/// the notebook runs in and how many threads torch uses.
/// </summary>
public static class NotebookBanner
{
    /// <summary>How the banner line starts; the notebook runner checks for it to know the shared setup finished.</summary>
    public const string Prefix = "LlmCourse · ";

    /// <summary>
    /// Checks that exactly one TorchSharp assembly is loaded, then returns e.g.
    /// <c>LlmCourse · full mode · 2 torch threads · seed 1337</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><c>LLMCOURSE_QUICK</c> holds an unknown value.</exception>
    /// <exception cref="InvalidOperationException">Two TorchSharp assemblies are loaded.</exception>
    public static string Line()
    {
        EnsureSingleTorchSharp(AppDomain.CurrentDomain.GetAssemblies());
        var mode = Course.Quick ? $"quick mode ({Course.QuickModeVariable}=1: small sizes, few steps)" : "full mode";
        return $"{Prefix}{mode} · {torch.get_num_threads()} torch threads · seed {Course.DefaultSeed}";
    }

    /// <summary>
    /// Throws when more than one assembly named TorchSharp is among <paramref name="assemblies"/>: two copies means two
    /// sets of types (a tensor from one is not a tensor of the other) and two native loaders.
    /// </summary>
    /// <exception cref="InvalidOperationException">Two or more TorchSharp assemblies.</exception>
    public static void EnsureSingleTorchSharp(IEnumerable<Assembly> assemblies)
    {
        var copies = assemblies.Where(a => a.GetName().Name == "TorchSharp").Select(a => a.IsDynamic ? "(dynamic)" : a.Location).ToList();
        if (copies.Count > 1)
            throw new InvalidOperationException(
                $"{copies.Count} TorchSharp assemblies are loaded ({string.Join(", ", copies)}). The shared setup already references " +
                "the one next to LlmCourse.dll: remove any `#r \"nuget: TorchSharp…\"` line from the notebook and restart the kernel.");
    }
}
