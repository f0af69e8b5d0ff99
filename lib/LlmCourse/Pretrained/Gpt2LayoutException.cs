namespace LlmCourse.Pretrained;

/// <summary>
/// A safetensors file does not hold the GPT-2 tensors the loader expects: names missing or unknown, shapes or dtypes
/// wrong. The message lists every problem BY TENSOR NAME at once (not just the first), and the lists are also
/// available one by one.
/// </summary>
public sealed class Gpt2LayoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="missing">Expected tensors the file lacks, each with its expected shape.</param>
    /// <param name="unexpected">Tensors the file holds that GPT-2's layout has no place for.</param>
    /// <param name="mismatched">Tensors present but with the wrong shape or dtype, each with what was expected.</param>
    /// <param name="inference">Problems found while reading the configuration from the file (width, heads, ...).</param>
    public Gpt2LayoutException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<string> mismatched, IReadOnlyList<string> inference)
        : base(Compose(path, missing, unexpected, mismatched, inference))
    {
        FilePath = path;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
        ConfigProblems = inference;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>Expected tensors the file lacks (name and expected shape).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Tensors in the file that have no place in GPT-2's layout.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors with the wrong shape or dtype (name, found, expected).</summary>
    public IReadOnlyList<string> Mismatched { get; }

    /// <summary>Problems with the configuration read from the shapes and config.json.</summary>
    public IReadOnlyList<string> ConfigProblems { get; }

    private static string Compose(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<string> mismatched, IReadOnlyList<string> inference)
    {
        var lines = new List<string> { $"{path} is not a GPT-2 checkpoint the course can load:" };
        lines.AddRange(inference.Select(p => "  - " + p));
        lines.AddRange(missing.Select(p => "  - missing tensor " + p));
        lines.AddRange(unexpected.Select(p => "  - unexpected tensor " + p));
        lines.AddRange(mismatched.Select(p => "  - " + p));
        if (missing.Count > 0 || unexpected.Count > 0)
            lines.Add("Names must follow Hugging Face's GPT2Model: wte.weight, wpe.weight, h.N.ln_1, h.N.attn.c_attn, h.N.attn.c_proj, h.N.ln_2, " +
                      "h.N.mlp.c_fc, h.N.mlp.c_proj (each .weight and .bias), ln_f (an optional 'transformer.' prefix is fine). " +
                      "A renamed tensor shows up as one missing and one unexpected name: rename it back, or download the file again.");
        if (mismatched.Count > 0)
            lines.Add("Shapes follow from wte.weight [vocab, width], wpe.weight [context, width] and config.json beside the file; " +
                      "Conv1D weights are stored [in, out]. A config.json that belongs to another model size causes this: remove or replace it.");
        return string.Join("\n", lines);
    }
}
