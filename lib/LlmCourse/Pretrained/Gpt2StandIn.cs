using LlmCourse.Model;

namespace LlmCourse.Pretrained;

/// <summary>
/// A tiny GPT-2 with random weights, saved in GPT-2's layout with GPT-2's 50,257-token vocabulary: what the epilogue
/// runs on when the real weights have not been downloaded. Its text is noise, but its file, names, tokenizer and code
/// paths are exactly the real model's, so every cell works and the real model drops in unchanged.
/// </summary>
public static class Gpt2StandIn
{
    /// <summary>GPT-2's architecture at a toy size: 4 layers, 4 heads of 16, context 256 (3.5M parameters, most in the embedding).</summary>
    public static GptConfig Config => GptConfig.Gpt2Small with { Layers = 4, Heads = 4, Width = 64, ContextLength = 256 };

    /// <summary>Where the stand-in is written: <c>artifacts/gpt2-stand-in/</c> (ignored by git).</summary>
    public static string Folder => Path.Combine(Course.ArtifactsDir, "gpt2-stand-in");

    /// <summary>
    /// The stand-in's <c>model.safetensors</c>, written (with its config.json) by <see cref="Gpt2Weights.Save"/> the first
    /// time, or again when the file there describes another shape. Same seed, same weights.
    /// </summary>
    public static string EnsureWritten(int seed = Course.DefaultSeed)
    {
        var file = Path.Combine(Folder, Gpt2Weights.FileName);
        if (File.Exists(file) && IsCurrent(file))
            return file;
        using var model = new GptModel(Config, seed);
        Gpt2Weights.Save(model, Folder);
        return file;
    }

    private static bool IsCurrent(string file)
    {
        try
        {
            return Gpt2Weights.ReadConfig(file) == Config;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return false; // unreadable or from an older version: write it again
        }
    }
}
