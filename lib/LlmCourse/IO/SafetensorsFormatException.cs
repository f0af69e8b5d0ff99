namespace LlmCourse.IO;

/// <summary>
/// A safetensors file is malformed, truncated, or does not match what the caller expected. The message names the
/// file and, where one is to blame, the tensor.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file at fault.</param>
    /// <param name="tensor">The tensor at fault, or null when the problem is the file as a whole.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public SafetensorsFormatException(string path, string? tensor, string problem, Exception? inner = null)
        : base(Compose(path, tensor, problem), inner)
    {
        FilePath = path;
        TensorName = tensor;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The tensor at fault, or null when the problem is the file as a whole.</summary>
    public string? TensorName { get; }

    private static string Compose(string path, string? tensor, string problem) =>
        tensor is null ? $"{path}: {problem}" : $"{path}: tensor '{tensor}': {problem}";
}
