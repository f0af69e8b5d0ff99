using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using LlmCourse.Interactive;
using TorchSharp;

namespace LlmCourse.Tests.Interactive;

/// <summary>One class, so its tests never overlap: one of them loads (and unloads) a second TorchSharp on purpose.</summary>
public class NotebookBannerTests
{
    [Fact]
    public void One_TorchSharp_is_fine() =>
        NotebookBanner.EnsureSingleTorchSharp([typeof(torch).Assembly, typeof(Course).Assembly]);

    [Fact]
    public void A_second_TorchSharp_copy_is_a_clear_error()
    {
        var unloaded = CheckWithSecondCopy();
        for (var i = 0; i < 20 && unloaded.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(unloaded.IsAlive, "the second TorchSharp copy did not unload");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CheckWithSecondCopy()
    {
        var context = new AssemblyLoadContext("second-torchsharp", isCollectible: true);
        var second = context.LoadFromAssemblyPath(typeof(torch).Assembly.Location);
        Assert.NotSame(typeof(torch).Assembly, second);

        var e = Assert.Throws<InvalidOperationException>(() => NotebookBanner.EnsureSingleTorchSharp([typeof(torch).Assembly, second]));

        Assert.Contains("2 TorchSharp assemblies", e.Message);
        Assert.Contains("remove any `#r \"nuget: TorchSharp", e.Message);
        context.Unload();
        return new WeakReference(context);
    }

    [Fact]
    public void The_banner_says_the_mode_and_the_threads()
    {
        var line = NotebookBanner.Line();
        Assert.StartsWith(NotebookBanner.Prefix, line);
        Assert.Contains(Course.Quick ? "quick mode" : "full mode", line);
        Assert.Contains($"{torch.get_num_threads()} torch threads", line);
    }
}
