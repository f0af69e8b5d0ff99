using System.Diagnostics;
using System.Globalization;
using LlmCourse.Native;
using LlmCourse.Pretrained;

namespace LlmCourse.Bench;

/// <summary>What loading a GPT-2 file cost in a fresh process.</summary>
/// <param name="Seconds">Wall time of <see cref="Gpt2Weights.Load"/> alone.</param>
/// <param name="CpuSeconds">CPU time the process spent in it: the load's own work, whatever else the machine runs.</param>
/// <param name="PeakRssBytes">The process's peak resident memory (VmHWM) after the load: everything it ever held at once.</param>
/// <param name="BaselineRssBytes">Resident memory just before the load (runtime and LibTorch already loaded).</param>
/// <param name="Parameters">Parameters of the loaded model.</param>
public sealed record Gpt2LoadMeasurement(double Seconds, double CpuSeconds, long PeakRssBytes, long BaselineRssBytes, long Parameters)
{
    /// <summary>Peak minus baseline: what the load itself needed.</summary>
    public long GrowthBytes => PeakRssBytes - BaselineRssBytes;
}

/// <summary>
/// Measures a GPT-2 load in a CHILD process (this bench program run as <c>gpt2-load --file PATH</c>), so the peak RSS
/// is the load's and not that of whatever wrote the file or ran before (a test host holds much more).
/// </summary>
public static class Gpt2LoadProbe
{
    private const string Marker = "gpt2-load-result";

    /// <summary>Starts this program in a child process to load <paramref name="file"/> once, and reads back its numbers.</summary>
    /// <exception cref="InvalidOperationException">The child failed; the message holds its output.</exception>
    /// <param name="file">The GPT-2 safetensors file.</param>
    /// <param name="threads">LibTorch threads in the child.</param>
    /// <param name="hugePages">Ask LibTorch for transparent huge pages on large allocations (<c>THP_MEM_ALLOC_ENABLE=1</c>), which cuts the page faults of first touching 500 MB.</param>
    /// <param name="timeout">How long the child may take (default 5 minutes).</param>
    public static Gpt2LoadMeasurement MeasureInChild(string file, int threads = 2, bool hugePages = false, TimeSpan? timeout = null)
    {
        var program = typeof(Gpt2LoadProbe).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", "--runtimeconfig", Sibling(program, ".runtimeconfig.json"), "--depsfile", Sibling(program, ".deps.json"), program,
                     "gpt2-load", "--child", "--file", Path.GetFullPath(file), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(argument);
        if (hugePages)
            info.ArgumentList.Add("--thp");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Loading {file} in a child process took longer than {timeout}.");
        }
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"The load probe exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        var values = line[Marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        return new Gpt2LoadMeasurement(double.Parse(values["seconds"], CultureInfo.InvariantCulture), double.Parse(values["cpu_seconds"], CultureInfo.InvariantCulture), long.Parse(values["peak_rss"], CultureInfo.InvariantCulture),
            long.Parse(values["baseline_rss"], CultureInfo.InvariantCulture), long.Parse(values["parameters"], CultureInfo.InvariantCulture));
    }

    /// <summary>The child's side: load the file once and print one machine-readable line.</summary>
    internal static void LoadAndReport(string file, int threads, bool hugePages)
    {
        if (hugePages)
            NativeEnvironment.Set("THP_MEM_ALLOC_ENABLE", "1"); // c10 reads it once, at its first allocation
        TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(threads);
        using (TorchSharp.torch.ones(4).sum()) { } // first op: LibTorch's lazy initialisation belongs to the baseline
        var baseline = CurrentRssBytes();
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var model = Gpt2Weights.Load(file);
        var seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"{Marker} seconds={seconds:F3} cpu_seconds={cpu:F3} peak_rss={ProcessMemory.PeakRssBytes()} baseline_rss={baseline} parameters={model.ParameterCount}"));
    }

    /// <summary>Resident memory now (VmRSS), Linux; the working set elsewhere.</summary>
    private static long CurrentRssBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static string Sibling(string assembly, string extension) => Path.ChangeExtension(assembly, null) + extension;

    private static string DotnetHost()
    {
        // Under `dotnet test`/`dotnet run` the SDK names the host; otherwise this process's own host, or dotnet on PATH.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
