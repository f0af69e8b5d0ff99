using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmCourse.IO;

namespace LlmCourse.Training;

/// <summary>
/// A checkpoint is one folder: weights as safetensors, the config, the tokenizer, the training state, and a
/// <c>manifest.json</c> that lists every file with its size and SHA-256, written last.
/// <para>
/// Writing is atomic: everything goes into a hidden temporary folder beside the target; only when it is complete is
/// the old folder renamed aside, the new one renamed into place, and the old one deleted. A write that dies before the
/// swap leaves the old checkpoint untouched; one that dies between the two renames leaves the old checkpoint under
/// its hidden "old" name, and <see cref="Open"/> finds it there.
/// </para>
/// </summary>
public static class CheckpointFolder
{
    /// <summary>The file listing every other file with its size and hash.</summary>
    public const string ManifestFile = "manifest.json";

    /// <summary>The value of the manifest's "format" field.</summary>
    public const string FormatName = "llmcourse-checkpoint";

    /// <summary>Writes a checkpoint folder atomically: <paramref name="fill"/> writes the files through the given writer.</summary>
    /// <returns>The checkpoint's full path.</returns>
    public static string Write(string folder, Action<CheckpointWriter> fill)
    {
        var target = Path.GetFullPath(folder.TrimEnd('/', '\\'));
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var name = Path.GetFileName(target);
        var temp = Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            var writer = new CheckpointWriter(temp);
            fill(writer);
            writer.WriteManifest();
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
        Swap(temp, target, Path.Combine(parent, $".{name}.old-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        return target;
    }

    /// <summary>
    /// Opens a checkpoint folder and checks it against its manifest (every file present, sizes and, unless
    /// <paramref name="verifyHashes"/> is false, SHA-256 hashes equal).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No checkpoint there (nor an interrupted swap's old copy).</exception>
    /// <exception cref="InvalidDataException">A file is missing, truncated or corrupt; the message names it.</exception>
    public static CheckpointReader Open(string folder, bool verifyHashes = true)
    {
        var target = Path.GetFullPath(folder.TrimEnd('/', '\\'));
        var recovered = false;
        if (!Directory.Exists(target))
        {
            target = FindInterruptedSwap(target) ?? throw new DirectoryNotFoundException(
                $"No checkpoint at '{target}'. Check the path, or train and save one first.");
            recovered = true;
        }
        var manifestPath = Path.Combine(target, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"'{target}' has no {ManifestFile}: it is not a checkpoint folder, or its write never finished. Save the checkpoint again.");
        var files = ReadManifest(manifestPath);
        foreach (var (file, (bytes, hash)) in files)
        {
            var path = Path.Combine(target, file);
            if (!File.Exists(path))
                throw new InvalidDataException($"Checkpoint '{target}' lacks {file}, which its manifest lists. The folder was edited or damaged; save the checkpoint again.");
            var actual = new FileInfo(path).Length;
            if (actual != bytes)
                throw new InvalidDataException($"Checkpoint file {path} is {actual} bytes but was written as {bytes}: it is truncated or was replaced. Save the checkpoint again.");
            if (verifyHashes && Sha256(path) != hash)
                throw new InvalidDataException($"Checkpoint file {path} is corrupt: its SHA-256 differs from the one recorded when it was written. Save the checkpoint again.");
        }
        return new CheckpointReader(target, files.Keys.ToList(), recovered);
    }

    internal static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static Dictionary<string, (long Bytes, string Sha256)> ReadManifest(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if ((string?)root["format"] != FormatName)
                throw new InvalidDataException($"{path} is not a course checkpoint manifest (format '{root["format"]}', expected '{FormatName}').");
            return root["files"]!.AsObject().ToDictionary(
                f => f.Key,
                f => ((long)f.Value!["bytes"]!, (string)f.Value!["sha256"]!));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}). Save the checkpoint again.", e);
        }
    }

    private static void Swap(string temp, string target, string old)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }
        Directory.Move(target, old);
        try
        {
            FaultInjection.Point("checkpoint:swap");
            Directory.Move(temp, target);
        }
        catch
        {
            // Put the old checkpoint back where it was; the new one is lost, the old one is not.
            if (!Directory.Exists(target))
                Directory.Move(old, target);
            TryDeleteFolder(temp);
            throw;
        }
        TryDeleteFolder(old);
    }

    private static string? FindInterruptedSwap(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
            return null;
        return Directory.GetDirectories(parent, $".{Path.GetFileName(target)}.old-*")
            .Where(d => File.Exists(Path.Combine(d, ManifestFile)))
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    private static void TryDeleteFolder(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
