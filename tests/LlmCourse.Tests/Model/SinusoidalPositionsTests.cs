using LlmCourse.Model;
using TorchSharp;

namespace LlmCourse.Tests.Model;

public class SinusoidalPositionsTests
{
    [Fact]
    public void Table_follows_the_paper_formula()
    {
        using var table = SinusoidalPositions.Table(positions: 50, width: 8);
        Assert.Equal(new long[] { 50, 8 }, table.shape);
        foreach (var p in new[] { 0, 1, 17, 49 })
            foreach (var i in new[] { 0, 1, 3 })
            {
                var angle = p / Math.Pow(10_000, 2.0 * i / 8);
                Assert.Equal(Math.Sin(angle), table[p, 2 * i].ToDouble(), 1e-6);
                Assert.Equal(Math.Cos(angle), table[p, 2 * i + 1].ToDouble(), 1e-6);
            }
    }

    [Fact]
    public void Every_position_gets_its_own_code()
    {
        using var table = SinusoidalPositions.Table(positions: 200, width: 16);
        using var distances = torch.cdist(table, table);
        using var offDiagonal = distances + torch.eye(200) * 1e6;
        Assert.True(offDiagonal.min().ToDouble() > 1e-2);
    }

    [Fact]
    public void Slices_past_the_precomputed_length_grow_the_table_consistently()
    {
        using var code = new SinusoidalPositions(width: 8, positions: 4);
        using var expected = SinusoidalPositions.Table(positions: 40, width: 8);
        using var slice = code.Slice(offset: 30, length: 10);
        Assert.True(code.Positions >= 40);
        Assert.True(slice.eq(expected.narrow(0, 30, 10)).all().ToBoolean());
    }

    [Fact]
    public void Odd_width_is_rejected_with_the_fix()
    {
        var error = Assert.Throws<ArgumentException>(() => new SinusoidalPositions(width: 7));
        Assert.Contains("even", error.Message);
    }
}
