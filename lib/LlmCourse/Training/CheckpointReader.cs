using LlmCourse.IO;

namespace LlmCourse.Training;

/// <summary>A checkpoint folder that <see cref="CheckpointFolder.Open"/> has checked against its manifest.</summary>
public sealed class CheckpointReader
{
    internal CheckpointReader(string folder, IReadOnlyList<string> files, bool recovered)
    {
        Folder = folder;
        Files = files;
        RecoveredFromInterruptedWrite = recovered;
    }

    /// <summary>The folder read.</summary>
    public string Folder { get; }

    /// <summary>The files the manifest lists.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>True when the target folder was missing and the previous checkpoint was found under its hidden "old" name (a save was interrupted mid-swap).</summary>
    public bool RecoveredFromInterruptedWrite { get; }

    /// <summary>True when the checkpoint has that file.</summary>
    public bool Has(string fileName) => Files.Contains(fileName);

    /// <summary>The full path of one of the checkpoint's files.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint has no such file.</exception>
    public string PathOf(string fileName) => Has(fileName) ? Path.Combine(Folder, fileName)
        : throw new FileNotFoundException($"Checkpoint '{Folder}' has no {fileName} (it has {string.Join(", ", Files)}).", fileName);

    /// <summary>Reads a text file of the checkpoint.</summary>
    public string ReadText(string fileName) => File.ReadAllText(PathOf(fileName));

    /// <summary>Opens a safetensors file of the checkpoint.</summary>
    public SafetensorsReader OpenTensors(string fileName) => SafetensorsReader.Open(PathOf(fileName));
}
