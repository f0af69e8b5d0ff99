using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Model;

/// <summary>
/// The fixed position code of the original Transformer ("Attention Is All You Need"): position p gets the vector
/// <c>PE[p, 2i] = sin(p / base^(2i/width))</c>, <c>PE[p, 2i+1] = cos(p / base^(2i/width))</c>, added to the token
/// embedding. Low dimensions spin fast (they tell neighbours apart), high dimensions spin slowly (they tell far-apart
/// positions apart), like the hands of a clock. Nothing is learned, so the code exists for any position.
/// </summary>
/// <remarks>
/// The instance keeps one table and grows it on demand, so a model using it can run past the length it was built for.
/// The table lives outside every dispose scope and outside inference mode: it is owned here and freed by
/// <see cref="Dispose"/>.
/// </remarks>
public sealed class SinusoidalPositions : IDisposable
{
    /// <summary>The base of the wavelengths (10,000 in the paper).</summary>
    public double Base { get; }

    /// <summary>The width of each position vector (the model width).</summary>
    public int Width { get; }

    private Tensor table;

    /// <summary>Creates the code for vectors of <paramref name="width"/> numbers, precomputed for <paramref name="positions"/> positions.</summary>
    /// <exception cref="ArgumentException">The width is odd or not positive, the base is not above 1, or positions is not positive.</exception>
    public SinusoidalPositions(int width, int positions = 256, double @base = 10_000)
    {
        if (width <= 0 || width % 2 != 0)
            throw new ArgumentException($"Sinusoidal positions need an even, positive width (got {width}): each sin has a cos partner. Use an even model width.", nameof(width));
        if (@base <= 1)
            throw new ArgumentException($"The sinusoidal base must be above 1 (got {@base}); the paper uses 10000.", nameof(@base));
        if (positions <= 0)
            throw new ArgumentException($"Positions must be positive (got {positions}).", nameof(positions));
        Width = width;
        Base = @base;
        table = Build(positions, width, @base);
    }

    /// <summary>How many positions the current table covers (it grows when asked for more).</summary>
    public int Positions => (int)table.shape[0];

    /// <summary>
    /// The codes of positions <paramref name="offset"/> … <paramref name="offset"/>+<paramref name="length"/>−1 as a
    /// [length, width] float32 tensor (a view of the shared table: do not modify it in place).
    /// </summary>
    public Tensor Slice(int offset, int length)
    {
        if (offset < 0 || length < 0)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Positions must be non-negative (offset {offset}, length {length}).");
        if (offset + length > Positions)
        {
            var grown = Build(Math.Max(offset + length, 2 * Positions), Width, Base);
            table.Dispose();
            table = grown;
        }
        return table.narrow(0, offset, length);
    }

    /// <summary>
    /// The [positions, width] table in one call, for plots. The caller owns the returned tensor.
    /// </summary>
    public static Tensor Table(int positions, int width, double @base = 10_000)
    {
        using var code = new SinusoidalPositions(width, positions, @base);
        return code.table.clone();
    }

    private static Tensor Build(int positions, int width, double @base)
    {
        // Computed in double on the .NET side: the table is small, and exact angles make the code identical everywhere.
        var values = new float[positions * width];
        for (var p = 0; p < positions; p++)
            for (var i = 0; i < width / 2; i++)
            {
                var angle = p / Math.Pow(@base, 2.0 * i / width);
                values[p * width + 2 * i] = (float)Math.Sin(angle);
                values[p * width + 2 * i + 1] = (float)Math.Cos(angle);
            }
        return OwnedTensor.From(values, positions, width);
    }

    /// <summary>Frees the table.</summary>
    public void Dispose() => table.Dispose();
}
