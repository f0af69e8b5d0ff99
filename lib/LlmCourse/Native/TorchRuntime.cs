using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace LlmCourse.Native;

/// <summary>What <see cref="TorchRuntime.EnsureLoaded"/> found and did.</summary>
/// <param name="LibTorchSharp">The native TorchSharp library that was loaded (the package's own, or the patched copy).</param>
/// <param name="WeakenedVersions">Symbol versions marked weak in the patched copy; empty when no patch was needed.</param>
/// <param name="OneDnnIsaCapped">True when ONEDNN_MAX_CPU_ISA was set to keep oneDNN off AMX.</param>
public sealed record TorchLoadReport(string LibTorchSharp, IReadOnlyList<string> WeakenedVersions, bool OneDnnIsaCapped)
{
    /// <summary>One line for a notebook's banner.</summary>
    public override string ToString() =>
        (WeakenedVersions.Count == 0 ? "LibTorch loaded as shipped" : $"LibTorch loaded (patched copy: {string.Join(", ", WeakenedVersions)} marked weak)")
        + (OneDnnIsaCapped ? $"; {NativeEnvironment.OneDnnMaxIsa}={NativeEnvironment.OneDnnIsaBelowAmx}" : "");
}

/// <summary>
/// Makes TorchSharp's native library load, with no action from the student. Call <see cref="EnsureLoaded"/> before
/// the first torch operation (the notebooks' shared setup and the tests do).
/// <para>
/// Why: TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked against GCC 13's libstdc++ and declares that it needs
/// symbol version GLIBCXX_3.4.32. Debian 12 ships 3.4.30, so the loader refuses the library, although the one symbol
/// under that version (<c>std::ios_base_library_init()</c>) is never called. Marking that version-need "weak" in a copy
/// the project owns lets the loader accept it. Where the system libstdc++ is new enough nothing is patched.
/// </para>
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable naming the folder for patched native copies (default: <c>.native/</c> in the repository).</summary>
    public const string NativeCacheVariable = "LLMCOURSE_NATIVE_CACHE";

    /// <summary>Symbols the course knows no code path calls; only versions whose symbols are all in this set are weakened.</summary>
    public static readonly IReadOnlySet<string> SymbolsNeverCalled = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    private static readonly Lock Gate = new();
    private static TorchLoadReport? loaded;

    /// <summary>Loads LibTorch (patching a private copy of TorchSharp's native library if this system needs it). Idempotent.</summary>
    /// <exception cref="PlatformNotSupportedException">The system libstdc++ lacks versions whose symbols are really used.</exception>
    public static TorchLoadReport EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded is not null)
                return loaded;
            var capped = CapOneDnnBelowAmx();
            var (library, weakened) = OperatingSystem.IsLinux() ? LoadOnLinux() : ("(TorchSharp's default loader)", []);
            try
            {
                using var probe = torch.ones(1);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new PlatformNotSupportedException(
                    $"TorchSharp's native library did not load ({library}): {e.Message} " +
                    "Rebuild with `dotnet build`, and make sure nothing else called torch before TorchRuntime.EnsureLoaded().", e);
            }
            return loaded = new TorchLoadReport(library, weakened, capped);
        }
    }

    private static bool CapOneDnnBelowAmx()
    {
        if (!NativeEnvironment.CpuHasAmx() || NativeEnvironment.Get(NativeEnvironment.OneDnnMaxIsa) is not null)
            return false;
        NativeEnvironment.Set(NativeEnvironment.OneDnnMaxIsa, NativeEnvironment.OneDnnIsaBelowAmx);
        return true;
    }

    private static (string Library, IReadOnlyList<string> Weakened) LoadOnLinux()
    {
        var original = NativeLibraryLocator.FindLibTorchSharp();
        if (original is null)
            return ("(not found next to TorchSharp.dll; TorchSharp's default loader)", []);

        var bytes = File.ReadAllBytes(original);
        var table = ElfVersionTable.Read(bytes, original);
        var provided = NativeLibraryLocator.SystemLibStdCxxVersions();
        var missing = table.Needs.Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && !n.IsWeak && !provided.Contains(n.Version)).ToList();
        if (missing.Count == 0)
            return (original, []);

        var used = missing.SelectMany(n => table.ImportsByVersionIndex[n.Index]).Where(s => !SymbolsNeverCalled.Contains(s)).ToList();
        if (used.Count > 0)
            throw new PlatformNotSupportedException(
                $"{original} needs {string.Join(", ", missing.Select(m => m.Version))} from libstdc++, which this system lacks, " +
                $"for symbols that are really used ({string.Join(", ", used.Take(5))}). Install a newer libstdc++ (GCC 13 or later), " +
                "or use the course's dev container.");

        var copy = PatchedCopy(original, bytes, table, missing.Select(m => m.Version).ToList());
        var libtorchDir = NativeLibraryLocator.FindLibTorchDirectory(original)
            ?? throw new DllNotFoundException($"libtorch.so was not found next to {original} nor in the NuGet package libtorch-cpu-linux-x64. Run `dotnet restore`.");
        // The copy lives elsewhere, so its RUNPATH ($ORIGIN) cannot find libtorch: load the dependencies by absolute path
        // first; the copy's NEEDED entries then match their sonames.
        foreach (var dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            NativeLibrary.Load(Path.Combine(libtorchDir, dependency));
        var handle = NativeLibrary.Load(copy);
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) => name == "LibTorchSharp" ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set (EnsureLoaded ran in another load context). The loaded copy still matches by soname.
        }
        return (copy, missing.Select(m => m.Version).ToList());
    }

    /// <summary>Writes (once, atomically) a copy of the library with the given version-needs marked weak; returns its path.</summary>
    internal static string PatchedCopy(string original, byte[] bytes, ElfVersionTable table, IReadOnlyList<string> versions)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var folder = Directory.CreateDirectory(Path.Combine(NativeCacheRoot(), key)).FullName;
        var target = Path.Combine(folder, Path.GetFileName(original));
        if (File.Exists(target) && versions.All(v => ElfVersionTable.Read(File.ReadAllBytes(target), target).Needs.Single(n => n.Version == v).IsWeak))
            return target;
        var patched = (byte[])bytes.Clone();
        foreach (var version in versions)
            table.MarkWeak(patched, version);
        var temp = target + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, patched);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    private static string NativeCacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(NativeCacheVariable);
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        try
        {
            return Path.Combine(Course.Root, ".native");
        }
        catch (DirectoryNotFoundException)
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "llmcourse", "native");
        }
    }
}
