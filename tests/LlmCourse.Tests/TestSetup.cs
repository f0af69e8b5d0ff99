using System.Runtime.CompilerServices;
using LlmCourse.Native;

namespace LlmCourse.Tests;

internal static class TestSetup
{
    /// <summary>Every test may touch torch: load it (patching if needed) before any test runs.</summary>
    [ModuleInitializer]
    internal static void LoadTorch() => TorchRuntime.EnsureLoaded();
}
