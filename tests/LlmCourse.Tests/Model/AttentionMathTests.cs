using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class AttentionMathTests
{
    private static Tensor Random(ulong seed, params long[] shape)
    {
        using var generator = new Generator(seed);
        return torch.randn(shape, generator: generator);
    }

    [Fact]
    public void Causal_mask_lets_each_query_see_itself_and_the_past_and_a_window_cuts_the_far_past()
    {
        using var causal = AttentionMath.CausalMask(4, 4);
        Assert.Equal(new[] { true, false, false, false, true, true, false, false, true, true, true, false, true, true, true, true },
            causal.data<bool>().ToArray());
        using var windowed = AttentionMath.CausalMask(4, 4, window: 2);
        Assert.Equal(new[] { true, false, false, false, true, true, false, false, false, true, true, false, false, false, true, true },
            windowed.data<bool>().ToArray());
        // Decode: one query at position 9 over keys at positions 6..9.
        using var decode = AttentionMath.CausalMask(1, 4, firstQueryPosition: 9, firstKeyPosition: 6, window: 3);
        Assert.Equal(new[] { false, true, true, true }, decode.data<bool>().ToArray());
    }

    [Fact]
    public void Explicit_weights_are_causal_rows_summing_to_one_and_equal_the_fused_kernel()
    {
        using var q = Random(1, 2, 3, 6, 8);
        using var k = Random(2, 2, 3, 6, 8);
        using var v = Random(3, 2, 3, 6, 8);
        using var mask = AttentionMath.CausalMask(6, 6);
        var (output, weights) = AttentionMath.Explicit(q, k, v, mask);
        Assert.True(torch.allclose(weights.sum(-1), torch.ones(2, 3, 6), rtol: 0, atol: 1e-6));
        Assert.Equal(0, weights.triu(1).abs().max().ToDouble());
        Assert.True(ModelTestData.MaxDifference(output, AttentionMath.Fused(q, k, v, causal: true)) < 1e-5);
        Assert.True(ModelTestData.MaxDifference(output, AttentionMath.Fused(q, k, v, allowed: mask)) < 1e-5);
        // The first query can only see the first key: its output is exactly the first value.
        Assert.True(ModelTestData.MaxDifference(output[.., .., 0], v[.., .., 0]) < 1e-6);
    }

    [Fact]
    public void Mismatched_shapes_throw_instead_of_ending_the_process()
    {
        using var q = torch.zeros(1, 2, 5, 8);
        using var k = torch.zeros(1, 2, 5, 4);
        using var v = torch.zeros(1, 2, 5, 8);
        Assert.Contains("same size to be compared", Assert.Throws<ArgumentException>(() => AttentionMath.Explicit(q, k, v)).Message);
        using var shortV = torch.zeros(1, 2, 4, 8);
        Assert.Contains("Every key needs a value", Assert.Throws<ArgumentException>(() => AttentionMath.Explicit(q, q, shortV)).Message);
    }
}
