namespace LlmCourse.Training;

/// <summary>
/// A small random generator (SplitMix64) whose whole state is one 64-bit number, so a checkpoint can store it and a
/// resumed run draws exactly the batches the uninterrupted run would have drawn. <see cref="Random"/> hides its state.
/// </summary>
public sealed class SeededRandom
{
    /// <summary>Starts from <paramref name="seed"/>.</summary>
    public SeededRandom(long seed) => State = unchecked((ulong)seed);

    /// <summary>The generator's complete state; assign a saved value to continue from there.</summary>
    public ulong State { get; set; }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        unchecked
        {
            var z = State += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> is not positive.</exception>
    public long NextLong(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        // Lemire's multiply-shift: the high 64 bits of bits × n are uniform in [0, n) up to a bias of n / 2^64.
        return (long)(((UInt128)NextBits() * (ulong)exclusiveMax) >> 64);
    }
}
