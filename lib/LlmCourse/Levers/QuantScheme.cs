namespace LlmCourse.Levers;

/// <summary>Which weights share one scale (and zero-point).</summary>
public enum QuantGranularity
{
    /// <summary>One scale for the whole matrix: cheapest, but one outlier weight coarsens every other weight's grid.</summary>
    PerTensor,

    /// <summary>One scale per output channel (row of the weight matrix): the usual int8 choice.</summary>
    PerChannel,

    /// <summary>One scale per run of <see cref="QuantScheme.GroupSize"/> consecutive weights in a row: what makes int4 usable.</summary>
    Grouped,
}

/// <summary>
/// How to round a weight matrix <c>W</c> (out × in) to <see cref="Bits"/>-bit integers. Each group of weights gets a
/// scale <c>s</c> (and, if asymmetric, an integer zero-point <c>z</c>); a weight is stored as the integer level
/// <c>u = clamp(round(w / s) + z, 0, 2^bits − 1)</c> and read back as <c>(u − z) · s</c>, so the rounding error of any
/// weight inside the group's range is at most half a step, <c>s / 2</c>.
/// </summary>
/// <param name="Bits">4 or 8. 4-bit levels are packed two per byte.</param>
/// <param name="Granularity">Which weights share a scale.</param>
/// <param name="GroupSize">Weights per group along the input dimension; used only with <see cref="QuantGranularity.Grouped"/>.</param>
/// <param name="Symmetric">
/// Symmetric ("absmax"): <c>s = max|w| / (2^(bits−1) − 1)</c> and a fixed zero-point <c>2^(bits−1)</c>, so 0 is exact and
/// no zero-points are stored. Asymmetric ("zero-point"): the grid spans <c>[min(w, 0), max(w, 0)]</c> with all
/// <c>2^bits</c> levels and stores an integer zero-point per group; better when a group's weights are lopsided.
/// </param>
public sealed record QuantScheme(int Bits, QuantGranularity Granularity, int GroupSize = 0, bool Symmetric = true)
{
    /// <summary>int8, one absmax scale for the whole matrix.</summary>
    public static QuantScheme Int8PerTensor(bool symmetric = true) => new(8, QuantGranularity.PerTensor, 0, symmetric);

    /// <summary>int8, one scale per output row.</summary>
    public static QuantScheme Int8PerChannel(bool symmetric = true) => new(8, QuantGranularity.PerChannel, 0, symmetric);

    /// <summary>int4, one scale per <paramref name="groupSize"/> weights of a row (128 is the common choice for large layers).</summary>
    public static QuantScheme Int4Grouped(int groupSize = 128, bool symmetric = true) => new(4, QuantGranularity.Grouped, groupSize, symmetric);

    /// <summary>The largest stored level, <c>2^bits − 1</c>.</summary>
    public int MaxLevel => (1 << Bits) - 1;

    /// <summary>The zero-point implied by a symmetric scheme, <c>2^(bits−1)</c> (128 or 8).</summary>
    public int SymmetricZero => 1 << (Bits - 1);

    /// <summary>Largest |level − zero| a symmetric scheme uses, <c>2^(bits−1) − 1</c> (127 or 7), so the grid is symmetric about 0.</summary>
    public int SymmetricMax => SymmetricZero - 1;

    /// <summary>The weights per group for a layer with <paramref name="inFeatures"/> inputs and <paramref name="outFeatures"/> outputs.</summary>
    public long WeightsPerGroup(long outFeatures, long inFeatures) => Granularity switch
    {
        QuantGranularity.PerTensor => outFeatures * inFeatures,
        QuantGranularity.PerChannel => inFeatures,
        _ => GroupSize,
    };

    /// <summary>The shape (rows, groups per row) of the scale and zero-point tensors for an out × in matrix.</summary>
    public (long Rows, long Groups) ParamShape(long outFeatures, long inFeatures) => Granularity switch
    {
        QuantGranularity.PerTensor => (1, 1),
        QuantGranularity.PerChannel => (outFeatures, 1),
        _ => (outFeatures, inFeatures / GroupSize),
    };

    /// <summary>Checks that this scheme can quantize an out × in weight matrix.</summary>
    /// <exception cref="ArgumentException">Bits other than 4 or 8, a group size that does not divide the input width,
    /// or an odd input width for 4-bit packing.</exception>
    public void Validate(long outFeatures, long inFeatures)
    {
        if (Bits is not (4 or 8))
            throw new ArgumentException($"{Bits}-bit quantization is not supported: use Bits = 8 (int8) or Bits = 4 (int4, packed two per byte).");
        if (Granularity == QuantGranularity.Grouped)
        {
            if (GroupSize <= 0)
                throw new ArgumentException($"Group size {GroupSize} must be positive: use e.g. QuantScheme.Int4Grouped(groupSize: 32).");
            if (inFeatures % GroupSize != 0)
            {
                var divisors = Enumerable.Range(1, (int)Math.Min(inFeatures, 256)).Where(d => inFeatures % d == 0 && d >= 8).TakeLast(4);
                throw new ArgumentException($"Group size {GroupSize} does not divide the layer's {inFeatures} input features, so the last group " +
                                            $"would be ragged. Pick a divisor of {inFeatures}, e.g. {string.Join(", ", divisors)}.");
            }
        }
        if (Bits == 4 && inFeatures % 2 != 0)
            throw new ArgumentException($"int4 packs two weights per byte along a row, so the input width must be even (got {inFeatures}). Use int8 for this layer.");
    }

    /// <summary>A short label for tables and file metadata, e.g. <c>int4-g128-sym</c> or <c>int8-channel-asym</c>.</summary>
    public override string ToString() =>
        $"int{Bits}-{Granularity switch { QuantGranularity.PerTensor => "tensor", QuantGranularity.PerChannel => "channel", _ => $"g{GroupSize}" }}-{(Symmetric ? "sym" : "asym")}";

    /// <summary>Parses the label written by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">Not such a label.</exception>
    public static QuantScheme Parse(string label)
    {
        var parts = label.Split('-');
        if (parts.Length != 3 || !parts[0].StartsWith("int") || !int.TryParse(parts[0][3..], out var bits) || parts[2] is not ("sym" or "asym"))
            throw new FormatException($"'{label}' is not a quantization scheme label like 'int4-g128-sym' or 'int8-channel-asym'.");
        var symmetric = parts[2] == "sym";
        return parts[1] switch
        {
            "tensor" => new QuantScheme(bits, QuantGranularity.PerTensor, 0, symmetric),
            "channel" => new QuantScheme(bits, QuantGranularity.PerChannel, 0, symmetric),
            var g when g.StartsWith('g') && int.TryParse(g[1..], out var size) => new QuantScheme(bits, QuantGranularity.Grouped, size, symmetric),
            _ => throw new FormatException($"'{label}': the middle part must be 'tensor', 'channel' or 'g<size>'."),
        };
    }
}
