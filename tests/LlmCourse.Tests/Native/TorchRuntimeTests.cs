using System.Runtime.InteropServices;
using LlmCourse.Native;
using TorchSharp;

namespace LlmCourse.Tests.Native;

public class TorchRuntimeTests
{
    private static string OriginalLibrary =>
        NativeLibraryLocator.FindLibTorchSharp() ?? throw new FileNotFoundException("libLibTorchSharp.so not found in the test output");

    [Fact]
    public void Real_library_needs_GLIBCXX_3_4_32_only_for_a_symbol_never_called()
    {
        if (!OperatingSystem.IsLinux()) return;
        var table = ElfVersionTable.Read(File.ReadAllBytes(OriginalLibrary));
        var need = Assert.Single(table.Needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        Assert.Equal(["_ZSt21ios_base_library_initv"], table.ImportsByVersionIndex[need.Index].ToArray());
        Assert.Contains(table.Needs, n => n.Version == "GLIBCXX_3.4.30"); // the reader sees the other needs too
    }

    [Fact]
    public void Patch_sets_the_weak_flag_changes_nothing_else_and_is_idempotent()
    {
        if (!OperatingSystem.IsLinux()) return;
        var bytes = File.ReadAllBytes(OriginalLibrary);
        var table = ElfVersionTable.Read(bytes);
        var cache = Directory.CreateTempSubdirectory("llmcourse-native-").FullName;
        var previous = Environment.GetEnvironmentVariable(TorchRuntime.NativeCacheVariable);
        Environment.SetEnvironmentVariable(TorchRuntime.NativeCacheVariable, cache);
        try
        {
            var path = TorchRuntime.PatchedCopy(OriginalLibrary, bytes, table, ["GLIBCXX_3.4.32"]);
            var patched = File.ReadAllBytes(path);
            var reread = ElfVersionTable.Read(patched);
            Assert.True(reread.Needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            Assert.All(reread.Needs.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
            Assert.Equal(bytes.Length, patched.Length);
            Assert.Equal(1, bytes.Zip(patched).Count(p => p.First != p.Second)); // one flag byte, nothing else
            Assert.Equal(bytes, File.ReadAllBytes(OriginalLibrary));             // the original is untouched

            var written = File.GetLastWriteTimeUtc(path);
            Assert.Equal(path, TorchRuntime.PatchedCopy(OriginalLibrary, bytes, table, ["GLIBCXX_3.4.32"]));
            Assert.Equal(written, File.GetLastWriteTimeUtc(path));               // reused, not rewritten
            Assert.False(reread.MarkWeak(patched, "GLIBCXX_3.4.32"));           // marking again changes nothing
        }
        finally
        {
            Environment.SetEnvironmentVariable(TorchRuntime.NativeCacheVariable, previous);
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void Patches_exactly_when_the_system_lacks_the_version_and_torch_then_runs()
    {
        var report = TorchRuntime.EnsureLoaded();
        Assert.Same(report, TorchRuntime.EnsureLoaded());
        if (OperatingSystem.IsLinux())
        {
            var systemHasIt = NativeLibraryLocator.SystemLibStdCxxVersions().Contains("GLIBCXX_3.4.32");
            Assert.Equal(systemHasIt ? [] : ["GLIBCXX_3.4.32"], report.WeakenedVersions);
            // Without the patch the loader refuses the shipped library; with it, the copy loads.
            Assert.Equal(systemHasIt, NativeLibrary.TryLoad(OriginalLibrary, out _));
            Assert.True(NativeLibrary.TryLoad(report.LibTorchSharp, out _));
        }
        using var x = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var y = x.mm(x.t());
        Assert.Equal(50f, y[1, 1].item<float>()); // 3²+4²+5²
    }

    [Fact]
    public void Not_an_elf_file_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionTable.Read("not a library"u8.ToArray(), "x.so"));
        Assert.Contains("x.so is not an ELF file", e.Message);
    }
}
