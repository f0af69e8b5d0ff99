using System.Globalization;

namespace LlmCourse.Bench;

/// <summary>The <c>--name value</c> options benches share, parsed the same way everywhere (invariant culture).</summary>
internal static class BenchArgs
{
    /// <summary>The value after <c>--<paramref name="name"/></c> in <paramref name="args"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    /// <exception cref="ArgumentException">The option is last (no value follows) or its value does not parse as <typeparamref name="T"/>.</exception>
    public static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        var at = Array.IndexOf(args, "--" + name);
        if (at < 0)
            return fallback;
        if (at + 1 >= args.Length || !T.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"--{name} needs a {typeof(T).Name} value after it, e.g. --{name} {fallback}.");
        return value;
    }

    /// <summary>Applies <c>--threads N</c> (LibTorch's intra-op threads) when given; the default is LibTorch's own (2 here).</summary>
    public static void ApplyThreads(string[] args)
    {
        var threads = Option(args, "threads", 0);
        if (threads > 0)
            TorchSharp.torch.set_num_threads(threads);
    }
}
