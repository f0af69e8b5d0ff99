using System.Text.Json;
using System.Text.Json.Nodes;
using LlmCourse.IO;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>Writes the files of one checkpoint into its (temporary) folder; see <see cref="CheckpointFolder.Write"/>.</summary>
public sealed class CheckpointWriter
{
    private readonly List<string> files = [];

    internal CheckpointWriter(string folder) => Folder = folder;

    /// <summary>The folder being written (a temporary one until the write completes).</summary>
    public string Folder { get; }

    /// <summary>Writes tensors as a safetensors file.</summary>
    public void WriteTensors(string fileName, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, ScalarType? storeFloatsAs = null) =>
        WriteWith(fileName, path => SafetensorsWriter.Write(path, tensors, metadata, storeFloatsAs));

    /// <summary>Writes a UTF-8 text file (JSON configs, for instance).</summary>
    public void WriteText(string fileName, string text) => WriteWith(fileName, path => File.WriteAllText(path, text));

    /// <summary>Lets <paramref name="save"/> write the file at the path it is given (e.g. <c>tokenizer.Save</c>).</summary>
    /// <exception cref="ArgumentException">The name is not a plain file name, or was already written.</exception>
    public void WriteWith(string fileName, Action<string> save)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName != Path.GetFileName(fileName) || fileName == CheckpointFolder.ManifestFile || fileName.StartsWith('.'))
            throw new ArgumentException($"'{fileName}' cannot name a checkpoint file: use a plain name such as model.safetensors.", nameof(fileName));
        if (files.Contains(fileName))
            throw new ArgumentException($"The checkpoint already has a file named {fileName}.", nameof(fileName));
        FaultInjection.Point($"checkpoint:{fileName}");
        save(Path.Combine(Folder, fileName));
        files.Add(fileName);
    }

    internal void WriteManifest()
    {
        var list = new JsonObject();
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(Folder, file);
            list[file] = new JsonObject { ["bytes"] = new FileInfo(path).Length, ["sha256"] = CheckpointFolder.Sha256(path) };
        }
        var manifest = new JsonObject
        {
            ["format"] = CheckpointFolder.FormatName,
            ["version"] = 1,
            ["files"] = list,
        };
        AtomicFile.WriteAllText(Path.Combine(Folder, CheckpointFolder.ManifestFile), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
