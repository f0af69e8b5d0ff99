using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LlmCourse.Native;

/// <summary>
/// Environment variables that native code (LibTorch, oneDNN) reads with C's <c>getenv</c>. On Linux and macOS,
/// .NET's <see cref="Environment.SetEnvironmentVariable(string, string?)"/> changes only .NET's own copy, so
/// these go through libc.
/// </summary>
public static partial class NativeEnvironment
{
    /// <summary>The variable oneDNN reads to cap which CPU instructions it may use.</summary>
    public const string OneDnnMaxIsa = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The cap that keeps oneDNN off AMX while still using AVX-512 bf16.</summary>
    public const string OneDnnIsaBelowAmx = "AVX512_CORE_BF16";

    /// <summary>Reads a variable as native code sees it.</summary>
    public static string? Get(string name) =>
        OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(getenv(name));

    /// <summary>Sets a variable so that native code sees it (and .NET too).</summary>
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && setenv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>
    /// True when the CPU has AMX tiles (CPUID leaf 7, EDX bits 22 and 24). After bf16 work that used AMX, a .NET
    /// NullReferenceException became a segfault on such CPUs, so the course keeps oneDNN below AMX there.
    /// </summary>
    public static bool CpuHasAmx()
    {
        if (!X86Base.IsSupported)
            return false;
        var (_, _, _, edx) = X86Base.CpuId(7, 0);
        return (edx & (1 << 22)) != 0 || (edx & (1 << 24)) != 0;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);
}
