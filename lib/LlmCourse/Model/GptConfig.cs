using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmCourse.Model;

/// <summary>
/// Everything that fixes the shape of a GPT. A record: change one field with <c>config with { Layers = 4 }</c>.
/// <see cref="Validate"/> explains every bad field and how to fix it; <see cref="GptModel"/> calls it.
/// </summary>
/// <remarks>
/// Field defaults follow GPT-2 (learned positions, LayerNorm, GELU, biases, tied head); the presets
/// <see cref="Tiny"/>, <see cref="CpuDefault"/> and <see cref="Gpt2Small"/> set every field explicitly.
/// Equality compares every field, lists included (through <see cref="ToJson"/>).
/// </remarks>
public sealed partial record GptConfig
{
    /// <summary>How many different token ids exist (the tokenizer's vocabulary size).</summary>
    public required int VocabSize { get; init; }

    /// <summary>The longest sequence the model is trained on (and, with learned positions, the longest it can read).</summary>
    public required int ContextLength { get; init; }

    /// <summary>Number of transformer blocks stacked.</summary>
    public required int Layers { get; init; }

    /// <summary>Attention heads per layer (unless <see cref="HeadsPerLayer"/> says otherwise).</summary>
    public required int Heads { get; init; }

    /// <summary>The model width: the size of every token's vector in the residual stream.</summary>
    public required int Width { get; init; }

    /// <summary>Hidden size of the MLP; null picks 4·Width for GELU and the parameter-matched ≈8/3·Width for SwiGLU.</summary>
    public int? MlpWidth { get; init; }

    /// <summary>Dropout probability on attention weights and on each residual branch (0 = off; small CPU runs rarely need it).</summary>
    public double Dropout { get; init; }

    /// <summary>LayerNorm or RMSNorm.</summary>
    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    /// <summary>Learned, sinusoidal or rotary positions.</summary>
    public PositionKind Positions { get; init; } = PositionKind.Learned;

    /// <summary>GELU or SwiGLU MLP.</summary>
    public MlpKind Mlp { get; init; } = MlpKind.Gelu;

    /// <summary>The GELU formula (exact or GPT-2's tanh approximation); ignored by SwiGLU.</summary>
    public GeluApproximation Gelu { get; init; } = GeluApproximation.None;

    /// <summary>True: the output head multiplies by the token-embedding matrix instead of owning a second one.</summary>
    public bool TiedHead { get; init; } = true;

    /// <summary>True: linear layers and LayerNorms have bias vectors (GPT-2); false drops them all (Llama, nanoGPT's option).</summary>
    public bool Bias { get; init; } = true;

    /// <summary>The small number added inside the normalisation's square root.</summary>
    public double NormEpsilon { get; init; } = 1e-5;

    /// <summary>Standard deviation of the initial weights (GPT-2: 0.02); residual output projections get it divided by √(2·Layers).</summary>
    public double InitStd { get; init; } = 0.02;

    /// <summary>RoPE's base θ (only used with <see cref="PositionKind.Rope"/>).</summary>
    public double RopeBase { get; init; } = 10_000;

    /// <summary>RoPE context-extension scaling; null = none. Change it on a trained model with <see cref="GptModel.RopeScaling"/>.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>The attention code to run; the model can switch at any time (<see cref="GptModel.AttentionKernel"/>).</summary>
    public AttentionKernel Attention { get; init; } = AttentionKernel.Sdpa;

    /// <summary>Sliding-window attention: each token sees itself and the previous Window − 1 tokens. Null = full causal attention.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Mixture of Experts: number of expert MLPs per block; 0 = an ordinary dense MLP.</summary>
    public int Experts { get; init; }

    /// <summary>Mixture of Experts: how many experts each token is sent to (top-k).</summary>
    public int ExpertsPerToken { get; init; } = 2;

    /// <summary>Mixture of Experts: weight of the load-balancing loss added to the language-model loss.</summary>
    public double MoeAuxLossWeight { get; init; } = 0.01;

    /// <summary>Optional heads per layer (after structured pruning); null = <see cref="Heads"/> everywhere. Head size stays Width / Heads.</summary>
    public int[]? HeadsPerLayer { get; init; }

    /// <summary>Optional MLP hidden width per layer (after structured pruning); null = <see cref="HiddenWidth"/> everywhere.</summary>
    public int[]? MlpWidthPerLayer { get; init; }

    /// <summary>Size of one attention head: Width / Heads.</summary>
    [JsonIgnore] public int HeadDim => Heads > 0 ? Width / Heads : 0;

    /// <summary>The MLP hidden width used when <see cref="MlpWidthPerLayer"/> is not set.</summary>
    [JsonIgnore]
    public int HiddenWidth => MlpWidth ?? (Mlp == MlpKind.SwiGlu
        ? RoundUp(8 * Width / 3, 8) // three matrices of 8/3·W match GELU's two of 4·W in parameters
        : 4 * Width);

    /// <summary>True when the MLP is a Mixture of Experts.</summary>
    [JsonIgnore] public bool IsMixtureOfExperts => Experts > 0;

    /// <summary>Attention heads in layer <paramref name="layer"/>.</summary>
    public int HeadsAt(int layer) => HeadsPerLayer?[layer] ?? Heads;

    /// <summary>MLP hidden width in layer <paramref name="layer"/>.</summary>
    public int MlpWidthAt(int layer) => MlpWidthPerLayer?[layer] ?? HiddenWidth;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // ---------------------------------------------------------------------------------------------------------------
    // Presets

    /// <summary>A model small enough for unit tests: 2 layers, width 32, 4 heads of 8, context 16, RoPE, no bias.</summary>
    public static GptConfig Tiny(int vocabSize = 32) => new()
    {
        VocabSize = vocabSize, ContextLength = 16, Layers = 2, Heads = 4, Width = 32,
        Positions = PositionKind.Rope, Norm = NormKind.LayerNorm, Mlp = MlpKind.Gelu, Bias = false, TiedHead = true,
    };

    /// <summary>
    /// The course's CPU model: 6 layers, width 192, 6 heads of 32, context 128, RoPE, LayerNorm, GELU, no biases, tied
    /// head. About 2.7M parameters plus the embedding; trains at several thousand tokens per second on two cores.
    /// </summary>
    public static GptConfig CpuDefault(int vocabSize) => new()
    {
        VocabSize = vocabSize, ContextLength = 128, Layers = 6, Heads = 6, Width = 192,
        Positions = PositionKind.Rope, Norm = NormKind.LayerNorm, Mlp = MlpKind.Gelu, Bias = false, TiedHead = true,
    };

    /// <summary>
    /// GPT-2 small's shape (124M parameters with the tied head): 12 layers, width 768, 12 heads, context 1024, and
    /// GPT-2's exact formulas (tanh-approximated GELU, LayerNorm ε = 1e-5), so its published weights give its numbers.
    /// </summary>
    public static GptConfig Gpt2Small => new()
    {
        VocabSize = 50_257, ContextLength = 1024, Layers = 12, Heads = 12, Width = 768,
        Positions = PositionKind.Learned, Norm = NormKind.LayerNorm, Mlp = MlpKind.Gelu, Bias = true, TiedHead = true,
        Gelu = GeluApproximation.Tanh, NormEpsilon = 1e-5,
    };

    // ---------------------------------------------------------------------------------------------------------------
    // Validation

    /// <summary>Every problem with this config, each naming the field and the fix; empty when the config is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Positive(string field, int value, string example)
        {
            if (value <= 0)
                problems.Add($"{field} = {value}: it must be at least 1 ({example}).");
        }
        Positive(nameof(VocabSize), VocabSize, "set it to the tokenizer's vocabulary size");
        Positive(nameof(ContextLength), ContextLength, "e.g. 128 tokens");
        Positive(nameof(Layers), Layers, "e.g. 6 blocks");
        Positive(nameof(Heads), Heads, "e.g. 6 heads");
        Positive(nameof(Width), Width, "e.g. 192");
        if (Heads > 0 && Width > 0 && Width % Heads != 0)
            problems.Add($"{nameof(Width)} = {Width} is not divisible by {nameof(Heads)} = {Heads}: each head gets Width / Heads numbers. " +
                         $"Pick a Width that is a multiple of {Heads} (e.g. {Heads * Math.Max(1, (int)Math.Round((double)Width / Heads))}) or a Heads that divides {Width}.");
        else if (Positions == PositionKind.Rope && HeadDim % 2 != 0)
            problems.Add($"{nameof(Positions)} = Rope needs an even head size, but Width / Heads = {Width} / {Heads} = {HeadDim}. " +
                         "RoPE rotates pairs of numbers: change Width or Heads so Width / Heads is even, or use Learned positions.");
        if (Positions == PositionKind.Sinusoidal && Width % 2 != 0)
            problems.Add($"{nameof(Positions)} = Sinusoidal needs an even {nameof(Width)} (got {Width}): every sin has a cos partner.");
        if (MlpWidth is <= 0)
            problems.Add($"{nameof(MlpWidth)} = {MlpWidth}: it must be at least 1; leave it null for the usual 4·Width.");
        if (!(Dropout >= 0 && Dropout < 1))
            problems.Add($"{nameof(Dropout)} = {Dropout}: it is a probability in [0, 1); use 0 to turn dropout off, 0.1 for light regularisation.");
        if (!(NormEpsilon > 0))
            problems.Add($"{nameof(NormEpsilon)} = {NormEpsilon}: it must be above 0 (1e-5 is usual); it keeps the division finite.");
        if (!(InitStd > 0))
            problems.Add($"{nameof(InitStd)} = {InitStd}: it must be above 0 (GPT-2 uses 0.02).");
        if (Positions == PositionKind.Rope && !(RopeBase > 1))
            problems.Add($"{nameof(RopeBase)} = {RopeBase}: it must be above 1 (10000 is usual).");
        if (RopeScaling is { } scaling)
        {
            try { scaling.Validate(); }
            catch (ArgumentException e) { problems.Add(e.Message); }
            if (Positions != PositionKind.Rope && !scaling.IsIdentity)
                problems.Add($"{nameof(RopeScaling)} is set but {nameof(Positions)} = {Positions}: scaling only applies to RoPE. Remove it or use Positions = Rope.");
        }
        if (SlidingWindow is < 1)
            problems.Add($"{nameof(SlidingWindow)} = {SlidingWindow}: a window must hold at least 1 token (the token itself); use null for full attention.");
        if (Experts < 0 || Experts == 1)
            problems.Add($"{nameof(Experts)} = {Experts}: use 0 for a dense MLP or at least 2 experts for a Mixture of Experts.");
        if (Experts >= 2 && (ExpertsPerToken < 1 || ExpertsPerToken > Experts))
            problems.Add($"{nameof(ExpertsPerToken)} = {ExpertsPerToken}: each token goes to between 1 and {nameof(Experts)} = {Experts} experts (2 is usual).");
        if (!(MoeAuxLossWeight >= 0))
            problems.Add($"{nameof(MoeAuxLossWeight)} = {MoeAuxLossWeight}: it must be 0 or more (0.01 is usual).");
        CheckPerLayer(problems, nameof(HeadsPerLayer), HeadsPerLayer, "heads");
        CheckPerLayer(problems, nameof(MlpWidthPerLayer), MlpWidthPerLayer, "hidden units");
        if (Enum.IsDefined(Norm) is false) problems.Add($"{nameof(Norm)} = {(int)Norm} is not a NormKind.");
        if (Enum.IsDefined(Positions) is false) problems.Add($"{nameof(Positions)} = {(int)Positions} is not a PositionKind.");
        if (Enum.IsDefined(Mlp) is false) problems.Add($"{nameof(Mlp)} = {(int)Mlp} is not an MlpKind.");
        if (Enum.IsDefined(Gelu) is false) problems.Add($"{nameof(Gelu)} = {(int)Gelu} is not a GeluApproximation.");
        if (Enum.IsDefined(Attention) is false) problems.Add($"{nameof(Attention)} = {(int)Attention} is not an AttentionKernel.");
        return problems;
    }

    private void CheckPerLayer(List<string> problems, string field, int[]? values, string what)
    {
        if (values is null)
            return;
        if (values.Length != Layers)
            problems.Add($"{field} has {values.Length} entries but {nameof(Layers)} = {Layers}: give one number of {what} per layer, or null.");
        else if (values.Any(v => v < 1))
            problems.Add($"{field} has a layer with {values.Min()} {what}: every layer needs at least 1. Remove the layer instead, or keep one.");
    }

    /// <summary>Throws if the config cannot build a model; the message lists every problem with its fix.</summary>
    /// <exception cref="ArgumentException">At least one field is invalid.</exception>
    public GptConfig Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid GptConfig:" + string.Concat(problems.Select(p => "\n  - " + p)));
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Serialisation and equality

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The config as indented JSON (enums as names), the form checkpoints store.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config written by <see cref="ToJson"/> and validates it.</summary>
    /// <exception cref="ArgumentException">The JSON is not a valid config.</exception>
    public static GptConfig FromJson(string json)
    {
        GptConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<GptConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"This is not a GptConfig in JSON: {e.Message} Write it with GptConfig.ToJson().", e);
        }
        return (config ?? throw new ArgumentException("The JSON is 'null', not a GptConfig. Write it with GptConfig.ToJson().")).Validate();
    }

    /// <summary>True when every field matches, per-layer lists compared element by element.</summary>
    public bool Equals(GptConfig? other) => other is not null && (ReferenceEquals(this, other) || ToJson() == other.ToJson());

    /// <summary>A hash consistent with <see cref="Equals(GptConfig?)"/>.</summary>
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}
