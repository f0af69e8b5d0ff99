using System.Text.RegularExpressions;
using LlmCourse.Model;

namespace LlmCourse.Pretrained;

/// <summary>How a GPT-2 tensor's numbers sit relative to the course parameter(s) they become.</summary>
internal enum Gpt2Placement
{
    /// <summary>Same shape, same orientation (embeddings, LayerNorms, biases of a single projection).</summary>
    AsIs,

    /// <summary>
    /// A Conv1D weight, stored [in, out] so GPT-2 computes <c>x @ W + b</c>; a course Linear stores [out, in] and
    /// computes <c>x @ Wᵀ + b</c>, so the matrix is transposed on the way in and out.
    /// </summary>
    Transposed,

    /// <summary><c>c_attn.weight</c> [W, 3·W]: query, key and value side by side along the output axis, each transposed.</summary>
    FusedQkvWeight,

    /// <summary><c>c_attn.bias</c> [3·W]: the three biases one after another.</summary>
    FusedQkvBias,
}

/// <summary>One tensor of a GPT-2 file: its name and shape there, and the course parameters it fills.</summary>
/// <param name="FileName">The Hugging Face name without any <c>transformer.</c> prefix, e.g. <c>h.0.attn.c_attn.weight</c>.</param>
/// <param name="FileShape">Its shape in the file for this config.</param>
/// <param name="Placement">How the numbers map onto the course parameters.</param>
/// <param name="ModelNames">The course's state_dict names it fills (three for the fused q, k, v).</param>
internal sealed record Gpt2TensorMap(string FileName, long[] FileShape, Gpt2Placement Placement, string[] ModelNames)
{
    /// <summary>The shape as text, e.g. <c>[768, 2304]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", FileShape) + "]";
}

/// <summary>
/// The Hugging Face GPT-2 layout (<c>GPT2Model</c>'s state_dict, as in OpenAI's published safetensors) and its
/// correspondence with the course's <see cref="GptModel"/>. One table serves loading and saving, so the two directions
/// cannot disagree about a name or an orientation.
/// </summary>
internal static partial class Gpt2Layout
{
    /// <summary>The prefix <c>GPT2LMHeadModel</c> puts before every name of its inner <c>GPT2Model</c>.</summary>
    public const string Prefix = "transformer.";

    /// <summary>The token-embedding matrix [vocab, width].</summary>
    public const string TokenEmbedding = "wte.weight";

    /// <summary>The learned position table [context, width].</summary>
    public const string PositionEmbedding = "wpe.weight";

    /// <summary>The output head, present only in files of untied models (or as a duplicate of <see cref="TokenEmbedding"/>).</summary>
    public const string Head = "lm_head.weight";

    /// <summary>The name without the <c>transformer.</c> prefix (names outside the inner model, like the head, keep theirs).</summary>
    public static string Normalize(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;

    /// <summary>
    /// True for the attention-mask buffers old GPT-2 checkpoints carry (<c>h.N.attn.bias</c>, the causal mask as a
    /// [1, 1, 1024, 1024] table, and <c>h.N.attn.masked_bias</c>, the fill value): not weights; the course model
    /// builds its own mask.
    /// </summary>
    public static bool IsMaskBuffer(string normalizedName) => MaskBuffer().IsMatch(normalizedName);

    /// <summary>The block index of a name like <c>h.11.mlp.c_fc.weight</c>, or null.</summary>
    public static int? LayerOf(string normalizedName)
    {
        var match = LayerName().Match(normalizedName);
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, out var layer) ? layer : null;
    }

    /// <summary>Every tensor a GPT-2 file for <paramref name="config"/> holds, in the order GPT-2 uses them.</summary>
    /// <exception cref="ArgumentException">The config has a feature GPT-2's layout cannot express (see <see cref="Incompatibilities"/>).</exception>
    public static IReadOnlyList<Gpt2TensorMap> For(GptConfig config)
    {
        var problems = Incompatibilities(config);
        if (problems.Count > 0)
            throw new ArgumentException("This model cannot be written in GPT-2's layout:" + string.Concat(problems.Select(p => "\n  - " + p)), nameof(config));
        long width = config.Width, vocab = config.VocabSize, context = config.ContextLength;
        var maps = new List<Gpt2TensorMap>
        {
            new(TokenEmbedding, [vocab, width], Gpt2Placement.AsIs, ["token_embedding.weight"]),
            new(PositionEmbedding, [context, width], Gpt2Placement.AsIs, ["position_embedding.weight"]),
        };
        for (var l = 0; l < config.Layers; l++)
        {
            long hidden = config.MlpWidthAt(l);
            string h = $"h.{l}.", b = $"blocks.{l}.";
            maps.Add(new(h + "ln_1.weight", [width], Gpt2Placement.AsIs, [b + "attn_norm.weight"]));
            maps.Add(new(h + "ln_1.bias", [width], Gpt2Placement.AsIs, [b + "attn_norm.bias"]));
            maps.Add(new(h + "attn.c_attn.weight", [width, 3 * width], Gpt2Placement.FusedQkvWeight,
                [b + "attn.q_proj.weight", b + "attn.k_proj.weight", b + "attn.v_proj.weight"]));
            maps.Add(new(h + "attn.c_attn.bias", [3 * width], Gpt2Placement.FusedQkvBias,
                [b + "attn.q_proj.bias", b + "attn.k_proj.bias", b + "attn.v_proj.bias"]));
            maps.Add(new(h + "attn.c_proj.weight", [width, width], Gpt2Placement.Transposed, [b + "attn.o_proj.weight"]));
            maps.Add(new(h + "attn.c_proj.bias", [width], Gpt2Placement.AsIs, [b + "attn.o_proj.bias"]));
            maps.Add(new(h + "ln_2.weight", [width], Gpt2Placement.AsIs, [b + "mlp_norm.weight"]));
            maps.Add(new(h + "ln_2.bias", [width], Gpt2Placement.AsIs, [b + "mlp_norm.bias"]));
            maps.Add(new(h + "mlp.c_fc.weight", [width, hidden], Gpt2Placement.Transposed, [b + "mlp.up_proj.weight"]));
            maps.Add(new(h + "mlp.c_fc.bias", [hidden], Gpt2Placement.AsIs, [b + "mlp.up_proj.bias"]));
            maps.Add(new(h + "mlp.c_proj.weight", [hidden, width], Gpt2Placement.Transposed, [b + "mlp.down_proj.weight"]));
            maps.Add(new(h + "mlp.c_proj.bias", [width], Gpt2Placement.AsIs, [b + "mlp.down_proj.bias"]));
        }
        maps.Add(new("ln_f.weight", [width], Gpt2Placement.AsIs, ["final_norm.weight"]));
        maps.Add(new("ln_f.bias", [width], Gpt2Placement.AsIs, ["final_norm.bias"]));
        if (!config.TiedHead)
            maps.Add(new(Head, [vocab, width], Gpt2Placement.AsIs, ["lm_head.weight"]));
        return maps;
    }

    /// <summary>What stops a config from being a GPT-2 (each with its fix); empty when it is one.</summary>
    public static IReadOnlyList<string> Incompatibilities(GptConfig config)
    {
        var problems = new List<string>();
        if (config.Positions != PositionKind.Learned)
            problems.Add($"Positions = {config.Positions}: GPT-2 has a learned position table (wpe). Use Positions = Learned.");
        if (config.Norm != NormKind.LayerNorm)
            problems.Add($"Norm = {config.Norm}: GPT-2 uses LayerNorm. Use Norm = LayerNorm.");
        if (config.Mlp != MlpKind.Gelu)
            problems.Add($"Mlp = {config.Mlp}: GPT-2's MLP is up-projection, GELU, down-projection. Use Mlp = Gelu.");
        if (!config.Bias)
            problems.Add("Bias = false: every GPT-2 projection and LayerNorm has a bias. Use Bias = true.");
        if (config.IsMixtureOfExperts)
            problems.Add($"Experts = {config.Experts}: GPT-2 has one dense MLP per block. Use Experts = 0.");
        if (config.SlidingWindow is not null)
            problems.Add($"SlidingWindow = {config.SlidingWindow}: GPT-2 attends to the whole context. Use SlidingWindow = null.");
        if (config.HeadsPerLayer is { } heads && heads.Any(h => h != config.Heads))
            problems.Add("HeadsPerLayer differs between layers (pruned heads): GPT-2's c_attn holds all heads of width Width. Save the unpruned model.");
        if (config.MlpWidthPerLayer is { } widths && widths.Distinct().Count() > 1)
            problems.Add("MlpWidthPerLayer differs between layers (pruned MLPs): GPT-2's config has one n_inner. Save the unpruned model.");
        return problems;
    }

    [GeneratedRegex(@"^h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex MaskBuffer();

    [GeneratedRegex(@"^h\.(\d+)\.")]
    private static partial Regex LayerName();
}
