using System.Runtime.InteropServices;
using TorchSharp;

namespace LlmCourse.Native;

/// <summary>Finds TorchSharp's and LibTorch's native files on Linux, in a build output folder or in the NuGet cache.</summary>
internal static class NativeLibraryLocator
{
    private const string Rid = "runtimes/linux-x64/native";

    /// <summary>libLibTorchSharp.so as TorchSharp would load it, or null.</summary>
    public static string? FindLibTorchSharp()
    {
        var torchSharpDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        var candidates = new List<string>();
        foreach (var dir in new[] { torchSharpDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir))
                continue;
            candidates.Add(Path.Combine(dir, Rid, "libLibTorchSharp.so"));   // build output: bin/…/runtimes/linux-x64/native
            candidates.Add(Path.Combine(dir, "libLibTorchSharp.so"));        // a flattened publish
            candidates.Add(Path.Combine(dir, "..", "..", Rid, "libLibTorchSharp.so")); // NuGet: torchsharp/0.107.0/lib/net8.0
        }
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    /// <summary>The folder holding libtorch.so for the given libLibTorchSharp.so, or null.</summary>
    public static string? FindLibTorchDirectory(string libTorchSharp)
    {
        var beside = Path.GetDirectoryName(libTorchSharp)!;
        if (File.Exists(Path.Combine(beside, "libtorch.so")))
            return beside;
        // NuGet layout: <packages>/torchsharp/<v>/runtimes/linux-x64/native → <packages>/libtorch-cpu-linux-x64/<v>/runtimes/linux-x64/native
        var packages = Path.GetFullPath(Path.Combine(beside, "..", "..", "..", "..", ".."));
        var libtorch = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (!Directory.Exists(libtorch))
            return null;
        return Directory.GetDirectories(libtorch)
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version())
            .Select(d => Path.Combine(d, Rid))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch.so")));
    }

    /// <summary>The symbol versions the libstdc++ this process uses defines.</summary>
    public static IReadOnlySet<string> SystemLibStdCxxVersions()
    {
        NativeLibrary.Load("libstdc++.so.6"); // normally already loaded by the runtime; makes it appear in /proc/self/maps
        var path = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(f => f[5])
            .FirstOrDefault()
            ?? throw new DllNotFoundException("libstdc++.so.6 is loaded but not visible in /proc/self/maps.");
        return ElfVersionTable.Read(File.ReadAllBytes(path), path).Defines;
    }
}
