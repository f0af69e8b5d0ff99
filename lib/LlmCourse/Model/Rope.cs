using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// Rotary position embedding (RoPE, Su et al. 2021). Instead of adding a position vector, RoPE turns each query and
/// key: the head's dimensions form pairs, and pair i at position p is rotated by the angle p·θᵢ with
/// θᵢ = base^(−2i/d). Because a rotation by m followed by the transpose of a rotation by n is a rotation by m − n,
/// the score q·k of a query at m and a key at n depends on their distance only.
/// </summary>
/// <remarks>
/// <para>Pairing: dimension i is paired with dimension i + d/2 (the "rotate half" layout of GPT-NeoX and Llama), which
/// needs two slices instead of a strided reshape. Any fixed pairing gives the same model family.</para>
/// <para>The cos/sin tables are precomputed in double precision, kept as float32, and grown on demand, so a model can
/// run past its trained length (where it may fail: that is the point of <see cref="Scaling"/>).</para>
/// <para>A single position (a KV-cached decode step) is turned by one matrix product with that position's [d, d]
/// rotation matrix, from a table built at the first such call: two tensor operations instead of six, which matters
/// when a decode step is a few hundred tiny operations. It agrees with the elementwise formula to float rounding.</para>
/// <para>One instance is shared by all layers of a model. Not thread-safe while a table grows.</para>
/// <para>A rotation keeps every vector's length, except under YaRN's temperature (<see cref="Magnitude"/>), which is
/// folded into the tables so attention itself needs no change.</para>
/// </remarks>
public sealed class Rope : IDisposable
{
    /// <summary>The size of one attention head (must be even).</summary>
    public int HeadDim { get; }

    /// <summary>The trained base of the angles (10,000 in the paper and in Llama 2).</summary>
    public double Base { get; }

    private RopeScaling scaling;
    private Tensor cos; // [positions, d]: (cos, cos) per row
    private Tensor sin; // [positions, d]: (−sin, sin) per row
    private Tensor? rotations; // [positions, d, d], built on the first single-position call
    private int positions;

    /// <summary>Creates RoPE for heads of <paramref name="headDim"/> numbers, tables precomputed for <paramref name="positions"/> positions.</summary>
    /// <exception cref="ArgumentException">The head size is odd or not positive, the base is not above 1, or the scaling is invalid.</exception>
    public Rope(int headDim, int positions = 256, double @base = 10_000, RopeScaling? scaling = null)
    {
        if (headDim <= 0 || headDim % 2 != 0)
            throw new ArgumentException($"RoPE rotates pairs of dimensions, so the head size must be even and positive (got {headDim}). Choose Width and Heads so Width / Heads is even.", nameof(headDim));
        if (!(@base > 1))
            throw new ArgumentException($"The RoPE base must be above 1 (got {@base}); 10000 is the usual value.", nameof(@base));
        if (positions <= 0)
            throw new ArgumentException($"Positions must be positive (got {positions}).", nameof(positions));
        scaling?.Validate();
        HeadDim = headDim;
        Base = @base;
        this.scaling = scaling ?? RopeScaling.None;
        (cos, sin) = BuildTables(positions);
        this.positions = positions;
    }

    /// <summary>
    /// The context-extension hook: setting it rebuilds the tables, so the next forward pass uses the new angles.
    /// <see cref="RopeScaling.None"/> restores the trained angles exactly.
    /// </summary>
    public RopeScaling Scaling
    {
        get => scaling;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            scaling = value;
            Rebuild(positions);
        }
    }

    /// <summary>How many positions the current tables cover (they grow when asked for more).</summary>
    public int Positions => positions;

    /// <summary>The base after NTK scaling: base·α^(d/(d−2)).</summary>
    public double EffectiveBase => scaling.NtkAlpha == 1 ? Base : Base * Math.Pow(scaling.NtkAlpha, HeadDim / (HeadDim - 2.0));

    /// <summary>θᵢ for each of the d/2 pairs: how many radians pair i turns per position (pair 0 is the fastest), NTK and YaRN included.</summary>
    public double[] InverseFrequencies()
    {
        var b = EffectiveBase;
        var frequencies = Enumerable.Range(0, HeadDim / 2).Select(i => Math.Pow(b, -2.0 * i / HeadDim)).ToArray();
        if (scaling.ByParts is { Factor: not 1 } yarn)
            for (var i = 0; i < frequencies.Length; i++)
                frequencies[i] *= yarn.FrequencyMultiplier(frequencies[i]);
        return frequencies;
    }

    /// <summary>
    /// The length every rotated vector is multiplied by: 1, except with YaRN's temperature, which scales queries and
    /// keys by 0.1·ln(s) + 1 each (so the scores by its square) to sharpen attention over the longer context.
    /// </summary>
    public double Magnitude => scaling.ByParts?.Magnitude ?? 1;

    /// <summary>The angle (radians) by which pair <paramref name="pair"/> is turned at <paramref name="position"/>, scaling included.</summary>
    public double Angle(double position, int pair) => EffectivePosition(position) * InverseFrequencies()[pair];

    /// <summary>
    /// Rotates <paramref name="x"/>, shaped [..., time, headDim] (e.g. [batch, heads, time, headDim]), as if its first
    /// time step sat at position <paramref name="offset"/> (the number of tokens already in the KV cache when decoding).
    /// </summary>
    /// <exception cref="ArgumentException">The last dimension is not <see cref="HeadDim"/>, or x has fewer than 2 dimensions.</exception>
    public Tensor Apply(Tensor x, int offset = 0)
    {
        if (x.dim() < 2 || x.shape[^1] != HeadDim)
            throw new ArgumentException($"RoPE expects a tensor shaped [..., time, {HeadDim}], got [{string.Join(", ", x.shape)}]. Split the heads first: [batch, heads, time, headDim].", nameof(x));
        if (offset < 0)
            throw new ArgumentOutOfRangeException(nameof(offset), $"The position offset must be non-negative (got {offset}).");
        var time = (int)x.shape[^2];
        EnsurePositions(offset + time);
        if (time == 1)
            return RotateOne(x, offset);
        using var scope = torch.NewDisposeScope();
        var c = cos.narrow(0, offset, time);
        var s = sin.narrow(0, offset, time);
        if (c.dtype != x.dtype)
            (c, s) = (c.to(x.dtype), s.to(x.dtype));
        // (x1, x2) → (x1 cos − x2 sin, x2 cos + x1 sin): the 2-D rotation, applied to every pair at once. Rolling by
        // half the head swaps the halves, (x2, x1), and the sine table holds (−sin, sin), so this is that formula
        // to the last bit in 6 tensor operations instead of 11 (a decode step calls it twice per layer).
        var rotated = x * c + x.roll(HeadDim / 2, -1) * s;
        return scope.MoveToOuter(rotated);
    }

    /// <summary>Makes sure the tables cover <paramref name="positions"/> positions.</summary>
    public void EnsurePositions(int positions)
    {
        if (positions > this.positions)
            Rebuild(Math.Max(positions, 2 * this.positions));
    }

    /// <summary>One position: x·R, where R turns every pair by that position's angles (x is [..., 1, d]).</summary>
    private Tensor RotateOne(Tensor x, int offset)
    {
        rotations ??= BuildRotations();
        using var scope = torch.NewDisposeScope();
        var rotation = rotations.select(0, offset);
        if (rotation.dtype != x.dtype)
            rotation = rotation.to(x.dtype);
        return scope.MoveToOuter(x.matmul(rotation));
    }

    /// <summary>New tables for <paramref name="count"/> positions under the current scaling; the rotation matrices follow when next needed.</summary>
    private void Rebuild(int count)
    {
        var (newCos, newSin) = BuildTables(count);
        cos.Dispose();
        sin.Dispose();
        rotations?.Dispose();
        (cos, sin, rotations, positions) = (newCos, newSin, null, count);
    }

    private double EffectivePosition(double position) => scaling.PositionScale == 1 ? position : position / scaling.PositionScale;

    private (Tensor Cos, Tensor Sin) BuildTables(int positions)
    {
        // Full-width rows: cos as (cos, cos) and sin as (−sin, sin), one column per dimension, the layout Apply needs.
        var frequencies = InverseFrequencies();
        var magnitude = Magnitude;
        var half = HeadDim / 2;
        var cosValues = new float[positions * HeadDim];
        var sinValues = new float[positions * HeadDim];
        for (var p = 0; p < positions; p++)
        {
            var position = EffectivePosition(p);
            for (var i = 0; i < half; i++)
            {
                var angle = position * frequencies[i];
                var c = (float)(magnitude * Math.Cos(angle));
                var sn = (float)(magnitude * Math.Sin(angle));
                cosValues[p * HeadDim + i] = cosValues[p * HeadDim + half + i] = c;
                sinValues[p * HeadDim + i] = -sn;
                sinValues[p * HeadDim + half + i] = sn;
            }
        }
        return (OwnedTensor.From(cosValues, positions, HeadDim), OwnedTensor.From(sinValues, positions, HeadDim));
    }

    /// <summary>
    /// [positions, d, d] rotation matrices from the tables, for row vectors (x·R): column j of R holds the two
    /// coefficients that make output j, cos at row j and ∓sin at row j ± d/2.
    /// </summary>
    private Tensor BuildRotations()
    {
        var d = HeadDim;
        var half = d / 2;
        var cosValues = cos.data<float>().ToArray();
        var sinValues = sin.data<float>().ToArray();
        var values = new float[(long)positions * d * d];
        for (var p = 0; p < positions; p++)
        {
            var row = p * d;
            var matrix = (long)p * d * d;
            for (var j = 0; j < d; j++)
            {
                var partner = j < half ? j + half : j - half;
                values[matrix + j * d + j] = cosValues[row + j];
                // Output j = x_j·cos + x_partner·(∓sin): the sine table already carries the sign for output j's half.
                values[matrix + partner * d + j] = sinValues[row + j];
            }
        }
        return OwnedTensor.From(values, positions, d, d);
    }

    /// <summary>Frees the tables.</summary>
    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
        rotations?.Dispose();
    }
}
