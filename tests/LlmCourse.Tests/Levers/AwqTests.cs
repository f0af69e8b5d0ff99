using LlmCourse.Levers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class AwqTests(ITestOutputHelper output)
{
    private static CalibrationStats Calibrated(int seed = 1)
    {
        var stats = new CalibrationStats(CalibrationData.InFeatures, maxSampleRows: 512);
        stats.Add(CalibrationData.Inputs(1024, seed));
        return stats;
    }

    [Theory]
    [InlineData("int4-g32-sym")]
    [InlineData("int4-g128-asym")]
    public void Awq_halves_the_output_error_of_round_to_nearest_on_held_out_inputs(string label)
    {
        var scheme = QuantScheme.Parse(label);
        var w = CalibrationData.Weight();
        using var stats = Calibrated();
        Assert.Equal(512, stats.SampleInputs().shape[0]);
        var result = Awq.Quantize(w, stats.MeanAbs(), stats.SampleInputs(), scheme);
        var heldOut = CalibrationData.Inputs(1024, seed: 2);
        var awqError = CalibrationData.OutputError(heldOut, w, result.Weight.Dequantize() * result.InputScale);
        var rtnError = CalibrationData.OutputError(heldOut, w, QuantizedTensor.Quantize(w, scheme).Dequantize());
        output.WriteLine($"{label}: AWQ {awqError:E3} (alpha {result.Alpha}), RTN {rtnError:E3}, ratio {awqError / rtnError:F3}");
        Assert.True(awqError < 0.5 * rtnError, $"AWQ {awqError} vs RTN {rtnError}");
        Assert.InRange(result.Alpha, 0.05, 0.95); // the outlier channels made it scale something
    }

    [Fact]
    public void Awq_scales_up_the_columns_of_the_loud_input_channels()
    {
        using var stats = Calibrated();
        var s = Awq.ScalesFor(stats.MeanAbs(), 0.5);
        Assert.True(s[7].item<float>() > 2 * s.median().item<float>()); // channel 7 is an outlier channel
        var a0 = Awq.ScalesFor(stats.MeanAbs(), 0);
        Assert.True(a0.eq(1).all().item<bool>()); // alpha = 0 is round-to-nearest
    }

    [Fact]
    public void Without_outliers_awq_never_does_worse_than_round_to_nearest_on_its_calibration_rows()
    {
        var w = CalibrationData.Weight();
        var x = randn(512, CalibrationData.InFeatures, generator: new Generator(8));
        var stats = new CalibrationStats(CalibrationData.InFeatures);
        stats.Add(x);
        var scheme = QuantScheme.Int4Grouped(32);
        var result = Awq.Quantize(w, stats.MeanAbs(), stats.SampleInputs(), scheme);
        var awqError = CalibrationData.OutputError(x, w, result.Weight.Dequantize() * result.InputScale);
        var rtnError = CalibrationData.OutputError(x, w, QuantizedTensor.Quantize(w, scheme).Dequantize());
        Assert.True(awqError <= rtnError * (1 + 1e-6));
    }

    [Fact]
    public void Awq_is_deterministic_and_its_layer_computes_with_the_folded_weight()
    {
        var w = CalibrationData.Weight();
        using var stats = Calibrated();
        var scheme = QuantScheme.Int4Grouped(32);
        var a = Awq.Quantize(w, stats.MeanAbs(), stats.SampleInputs(), scheme);
        var b = Awq.Quantize(w, stats.MeanAbs(), stats.SampleInputs(), scheme);
        Assert.Equal(a.Alpha, b.Alpha);
        Assert.True(a.Weight.Codes.eq(b.Weight.Codes).all().item<bool>());

        var bias = randn(CalibrationData.OutFeatures);
        var layer = new QuantizedLinear(a.Weight, bias, a.InputScale);
        var x = CalibrationData.Inputs(16, seed: 3);
        var expected = nn.functional.linear(x * a.InputScale, a.Weight.Dequantize(), bias);
        Assert.True(layer.forward(x).allclose(expected, rtol: 0, atol: 1e-6));
        Assert.True(layer.forward(x).allclose(nn.functional.linear(x, layer.EffectiveWeight(), bias), rtol: 1e-5, atol: 1e-5));
        Assert.Equal(a.Weight.StorageBytes + 4 * CalibrationData.OutFeatures + 4 * CalibrationData.InFeatures, layer.StorageBytes);
    }
}
