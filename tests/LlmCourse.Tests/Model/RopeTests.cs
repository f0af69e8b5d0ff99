using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class RopeTests
{
    private const int HeadDim = 16;

    private static Tensor RandomVector(long seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return torch.randn(shape, generator: generator);
    }

    private static double Dot(Tensor a, Tensor b) => (a * b).sum().ToDouble();

    [Fact]
    public void Score_of_rotated_query_and_key_depends_only_on_their_distance()
    {
        using var rope = new Rope(HeadDim);
        using var q = RandomVector(1, 1, HeadDim);
        using var k = RandomVector(2, 1, HeadDim);
        foreach (var distance in new[] { 0, 1, 7, 40 })
        {
            var scores = new[] { 0, 3, 50, 200 }.Select(n => Dot(rope.Apply(q, n + distance), rope.Apply(k, n))).ToList();
            Assert.All(scores, s => Assert.Equal(scores[0], s, 1e-5));
        }
        // ... and it does depend on the distance (otherwise the test above proves nothing).
        Assert.NotEqual(Dot(rope.Apply(q, 5), rope.Apply(k, 0)), Dot(rope.Apply(q, 6), rope.Apply(k, 0)), 1e-3);
    }

    [Fact]
    public void Rotation_preserves_the_length_of_every_vector()
    {
        using var rope = new Rope(HeadDim);
        using var x = RandomVector(3, 2, 3, 20, HeadDim);
        using var rotated = rope.Apply(x, offset: 11);
        Assert.True(torch.allclose(x.norm(-1), rotated.norm(-1), rtol: 0, atol: 1e-5));
        Assert.False(torch.allclose(x, rotated, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Position_zero_is_the_identity()
    {
        using var rope = new Rope(HeadDim);
        using var x = RandomVector(4, 1, HeadDim);
        using var rotated = rope.Apply(x, offset: 0);
        Assert.True(rotated.eq(x).all().ToBoolean());
    }

    [Fact]
    public void Two_dimensional_head_turns_a_vector_by_position_radians()
    {
        using var rope = new Rope(2);
        using var east = torch.tensor(new float[] { 1, 0 }).reshape(1, 2);
        foreach (var p in new[] { 1, 2, 3 })
        {
            using var turned = rope.Apply(east, p);
            Assert.Equal(Math.Cos(p), turned[0, 0].ToDouble(), 1e-6);
            Assert.Equal(Math.Sin(p), turned[0, 1].ToDouble(), 1e-6);
        }
    }

    [Fact]
    public void Offset_rotates_a_chunk_exactly_like_the_same_rows_of_the_whole_sequence()
    {
        using var rope = new Rope(HeadDim, positions: 8); // the tables must grow past 8 on the way
        using var whole = RandomVector(5, 2, 3, 30, HeadDim);
        using var all = rope.Apply(whole);
        using var chunk = rope.Apply(whole.narrow(2, 21, 9), offset: 21);
        Assert.True(chunk.eq(all.narrow(2, 21, 9)).all().ToBoolean());
    }

    [Fact]
    public void Scale_factor_one_is_the_unscaled_rope_exactly()
    {
        using var plain = new Rope(HeadDim);
        using var scaled = new Rope(HeadDim, scaling: new RopeScaling(PositionScale: 1, NtkAlpha: 1));
        using var x = RandomVector(6, 1, 2, 50, HeadDim);
        Assert.True(plain.Apply(x).eq(scaled.Apply(x)).all().ToBoolean());

        // Switching scaling on and back off restores the trained angles bit for bit.
        scaled.Scaling = RopeScaling.Linear(4);
        Assert.False(plain.Apply(x).eq(scaled.Apply(x)).all().ToBoolean());
        scaled.Scaling = RopeScaling.None;
        Assert.True(plain.Apply(x).eq(scaled.Apply(x)).all().ToBoolean());
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void Linear_interpolation_maps_position_p_times_s_to_the_original_angle_of_p(double s)
    {
        using var plain = new Rope(HeadDim);
        using var stretched = new Rope(HeadDim, scaling: RopeScaling.Linear(s));
        using var x = RandomVector(7, 1, HeadDim);
        foreach (var p in new[] { 1, 5, 30, 100 })
        {
            for (var pair = 0; pair < HeadDim / 2; pair++)
                Assert.Equal(plain.Angle(p, pair), stretched.Angle(p * s, pair), 1e-9);
            Assert.True(torch.allclose(plain.Apply(x, p), stretched.Apply(x, (int)(p * s)), rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void Ntk_scaling_raises_the_base_and_slows_slow_pairs_but_not_the_fastest()
    {
        using var plain = new Rope(HeadDim);
        using var ntk = new Rope(HeadDim, scaling: RopeScaling.Ntk(4));
        Assert.Equal(10_000 * Math.Pow(4, HeadDim / (HeadDim - 2.0)), ntk.EffectiveBase, 1e-6);
        var before = plain.InverseFrequencies();
        var after = ntk.InverseFrequencies();
        Assert.Equal(before[0], after[0]);
        // The slowest pair turns exactly α times slower: base'^(-(d-2)/d) = base^(-(d-2)/d) / α.
        Assert.Equal(before[^1] / 4, after[^1], 1e-12);
    }

    [Fact]
    public void A_table_grown_in_inference_mode_still_works_with_autograd()
    {
        using var rope = new Rope(HeadDim, positions: 4);
        using (torch.inference_mode())
        using (var probe = RandomVector(8, 1, HeadDim))
            rope.Apply(probe, offset: 100).Dispose(); // one position: builds the rotation matrices too
        using var x = RandomVector(9, 3, HeadDim).requires_grad_();
        using var loss = rope.Apply(x, offset: 90).sum();
        loss.backward();
        Assert.NotNull(x.grad);
        using var one = RandomVector(10, 1, HeadDim).requires_grad_();
        using var oneLoss = rope.Apply(one, offset: 95).sum();
        oneLoss.backward();
        Assert.NotNull(one.grad);
    }

    [Fact]
    public void Several_positions_are_turned_by_the_pairwise_formula()
    {
        using var rope = new Rope(HeadDim);
        using var x = RandomVector(11, 5, HeadDim);
        using var rotated = rope.Apply(x, offset: 3);
        var values = x.data<float>().ToArray();
        var turned = rotated.data<float>().ToArray();
        const int half = HeadDim / 2;
        for (var t = 0; t < 5; t++)
            for (var i = 0; i < half; i++)
            {
                var angle = rope.Angle(3 + t, i);
                double x1 = values[t * HeadDim + i], x2 = values[t * HeadDim + half + i];
                Assert.Equal(x1 * Math.Cos(angle) - x2 * Math.Sin(angle), turned[t * HeadDim + i], 1e-5);
                Assert.Equal(x2 * Math.Cos(angle) + x1 * Math.Sin(angle), turned[t * HeadDim + half + i], 1e-5);
            }
    }

    [Fact]
    public void One_position_turned_by_its_rotation_matrix_equals_that_row_of_a_longer_run_under_every_scaling()
    {
        // A decode step (one position) takes the matrix path, prefill (many) the elementwise one: they must agree,
        // also past the initial table (it grows) and after the scaling changes (the matrices must follow).
        using var rope = new Rope(HeadDim, positions: 8);
        using var x = RandomVector(12, 2, 3, 40, HeadDim);
        foreach (var scaling in new[] { RopeScaling.None, RopeScaling.Linear(2), RopeScaling.Ntk(4), RopeScaling.Yarn(4, 16) })
        {
            rope.Scaling = scaling;
            var singles = new[] { 0, 1, 7, 8, 39 }.Select(p => (p, rope.Apply(x.narrow(2, p, 1), offset: p))).ToList();
            using var all = rope.Apply(x);
            foreach (var (p, one) in singles)
            {
                Assert.True(torch.allclose(one, all.narrow(2, p, 1), rtol: 0, atol: 1e-6), $"{scaling} at position {p}");
                one.Dispose();
            }
        }
    }

    [Fact]
    public void Bad_shapes_and_settings_fail_with_a_message_that_names_the_fix()
    {
        using var rope = new Rope(HeadDim);
        using var wrong = torch.zeros(2, 5, 12);
        var shape = Assert.Throws<ArgumentException>(() => rope.Apply(wrong));
        Assert.Contains("[..., time, 16]", shape.Message);
        Assert.Contains("even", Assert.Throws<ArgumentException>(() => new Rope(7)).Message);
        Assert.Contains("PositionScale", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Linear(0)).Message);
    }
}
