using TorchSharp;
using LlmCourse.Alignment;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class DpoLossTests
{
    private static double MinusLogSigmoid(double z) => -Math.Log(1 / (1 + Math.Exp(-z)));

    [Theory]
    [InlineData(-2.0, -5.0, -3.0, -4.0, 0.5)]
    [InlineData(-10.0, -1.0, -9.0, -3.0, 0.1)]
    [InlineData(-4.0, -4.5, -4.0, -4.0, 2.0)]
    public void Loss_is_minus_log_sigmoid_of_beta_times_the_log_ratio_difference(double pc, double pr, double rc, double rr, double beta)
    {
        var expected = MinusLogSigmoid(beta * ((pc - rc) - (pr - rr)));
        Assert.Equal(expected, DpoLoss.Compute(pc, pr, rc, rr, beta), 6);
    }

    [Fact]
    public void Policy_equal_to_reference_gives_log_2_whatever_the_log_probs()
    {
        Assert.Equal(Math.Log(2), DpoLoss.Compute(-3.7, -1.2, -3.7, -1.2, 0.1), 6);
        using var lp = tensor(new[] { -1f, -20f, -3.5f });
        using var lr = tensor(new[] { -2f, -0.5f, -9f });
        using var result = DpoLoss.Compute(lp, lr, lp, lr, 0.3);
        Assert.Equal(Math.Log(2), result.Loss.ToDouble(), 5);
        Assert.Equal(0, result.Margin, 6);
    }

    [Fact]
    public void Batch_loss_is_the_mean_and_margins_and_accuracy_follow_the_implicit_rewards()
    {
        using var pc = tensor(new[] { -2f, -6f });
        using var pr = tensor(new[] { -5f, -3f });
        using var rc = tensor(new[] { -3f, -5f });
        using var rr = tensor(new[] { -4f, -4f });
        using var result = DpoLoss.Compute(pc, pr, rc, rr, beta: 0.5);

        // Pair 0: rewards 0.5 and −0.5 (right way round); pair 1: −0.5 and 0.5 (wrong way round).
        Assert.Equal((MinusLogSigmoid(1) + MinusLogSigmoid(-1)) / 2, result.Loss.ToDouble(), 5);
        Assert.Equal(0.5, result.Accuracy, 6);
        Assert.Equal(0, result.Margin, 5);
        Assert.Equal(new[] { 0.5f, -0.5f }, result.ChosenRewards.data<float>().ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_beta_that_is_not_positive_is_a_clear_error(double beta)
    {
        var e = Assert.Throws<ArgumentException>(() => DpoLoss.Compute(-1, -2, -1, -2, beta));
        Assert.Contains("β > 0", e.Message);
    }

    [Fact]
    public void Mismatched_shapes_are_a_clear_error()
    {
        using var two = tensor(new[] { -1f, -2f });
        using var three = tensor(new[] { -1f, -2f, -3f });
        var e = Assert.Throws<ArgumentException>(() => DpoLoss.Compute(two, two, three, two, 0.1));
        Assert.Contains("one shape", e.Message);
    }
}
