using LlmCourse.Levers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class GptqTests(ITestOutputHelper output)
{
    private static (Tensor Weight, CalibrationStats Stats, Tensor HeldOut) Layer()
    {
        var stats = new CalibrationStats(CalibrationData.InFeatures);
        stats.Add(CalibrationData.Inputs(1024, seed: 1));
        return (CalibrationData.Weight(), stats, CalibrationData.Inputs(1024, seed: 2));
    }

    [Theory]
    [InlineData("int4-g32-sym")]
    [InlineData("int4-g32-asym")]
    [InlineData("int8-channel-sym")]
    public void Gptq_halves_the_output_error_of_round_to_nearest_on_held_out_inputs(string label)
    {
        var scheme = QuantScheme.Parse(label);
        var (w, stats, heldOut) = Layer();
        using var gptq = Gptq.Quantize(w, stats.Hessian(), scheme);
        using var rtn = QuantizedTensor.Quantize(w, scheme);
        var gptqError = CalibrationData.OutputError(heldOut, w, gptq.Dequantize());
        var rtnError = CalibrationData.OutputError(heldOut, w, rtn.Dequantize());
        output.WriteLine($"{label}: GPTQ {gptqError:E3}, RTN {rtnError:E3}, ratio {gptqError / rtnError:F3}");
        Assert.True(gptqError < 0.5 * rtnError, $"GPTQ {gptqError} vs RTN {rtnError}");
        // Same storage: GPTQ only picks different levels on the same kind of grid.
        Assert.Equal(rtn.StorageBytes, gptq.StorageBytes);
    }

    /// <summary>
    /// GPTQ as first written (OBS): invert H once, and after each column eliminate it from H⁻¹ explicitly. The library's
    /// Cholesky-and-blocks version must pick the same levels.
    /// </summary>
    private static Tensor NaiveGptqLevels(Tensor weight, Tensor hessian, QuantScheme scheme, double damping = 0.01)
    {
        var w = weight.to(ScalarType.Float64).clone();
        var h = hessian.to(ScalarType.Float64).clone();
        h += eye(h.shape[0], dtype: ScalarType.Float64) * (damping * h.diagonal().mean().item<double>());
        var hinv = linalg.inv(h);
        var cols = w.shape[1];
        var levels = zeros(w.shape[0], cols);
        Tensor scale = null!, zero = null!;
        for (long j = 0; j < cols; j++)
        {
            if (j % scheme.GroupSize == 0)
            {
                var (s, z) = QuantGrid.Fit(w.narrow(1, j, scheme.GroupSize).to(ScalarType.Float32).unsqueeze(1), scheme);
                (scale, zero) = (s.squeeze(1), z.squeeze(1));
            }
            var column = w[.., j].to(ScalarType.Float32);
            var level = QuantGrid.Levels(column, scale, zero, scheme);
            levels[.., j] = level;
            var error = (column - QuantGrid.Values(level, scale, zero)).to(ScalarType.Float64) / hinv[j, j];
            w.narrow(1, j, cols - j).sub_(outer(error, hinv[j].narrow(0, j, cols - j)));
            hinv -= outer(hinv[.., j], hinv[j]) / hinv[j, j];
        }
        return levels;
    }

    [Fact]
    public void Cholesky_and_lazy_block_updates_pick_the_levels_of_the_textbook_algorithm()
    {
        var scheme = QuantScheme.Int4Grouped(32, symmetric: false);
        var (w, stats, _) = Layer();
        var hessian = stats.Hessian();
        var reference = NaiveGptqLevels(w, hessian, scheme);
        foreach (var blockSize in new[] { 128, 48, 1 })
        {
            using var q = Gptq.Quantize(w, hessian, scheme, new GptqOptions(BlockSize: blockSize));
            var same = q.Levels().to(ScalarType.Float32).eq(reference).to(ScalarType.Float32).mean().item<float>();
            output.WriteLine($"block {blockSize}: {same:P2} of levels equal the textbook algorithm's");
            Assert.True(same > 0.99, $"block size {blockSize}: only {same:P2} of levels agree"); // float32 vs float64 may flip a rare tie
        }
    }

    [Fact]
    public void Gptq_is_deterministic()
    {
        var (w, stats, _) = Layer();
        using var a = Gptq.Quantize(w, stats.Hessian(), QuantScheme.Int4Grouped(32));
        using var b = Gptq.Quantize(w, stats.Hessian(), QuantScheme.Int4Grouped(32));
        Assert.True(a.Codes.eq(b.Codes).all().item<bool>());
        Assert.True(a.Scales.eq(b.Scales).all().item<bool>());
    }

    [Fact]
    public void Inputs_that_never_fire_are_handled_and_bad_requests_are_explained()
    {
        var (w, _, _) = Layer();
        var x = CalibrationData.Inputs(256, seed: 4);
        x[.., 5] = tensor(0f); // a dead input channel: zero on the Hessian's diagonal
        var stats = new CalibrationStats(CalibrationData.InFeatures);
        stats.Add(x);
        using var q = Gptq.Quantize(w, stats.Hessian(), QuantScheme.Int4Grouped(32));
        Assert.True(q.Dequantize()[.., 5].abs().max().item<float>() == 0); // its weights cannot matter: zeroed, as in the paper
        Assert.False(q.Dequantize().isnan().any().item<bool>());

        Assert.Contains("per-channel or grouped", Assert.Throws<ArgumentException>(() => Gptq.Quantize(w, stats.Hessian(), QuantScheme.Int8PerTensor())).Message);
        Assert.Contains("128 × 128", Assert.Throws<ArgumentException>(() => Gptq.Quantize(w, eye(64), QuantScheme.Int4Grouped(32))).Message);
        Assert.Contains("does not divide", Assert.Throws<ArgumentException>(() => Gptq.Quantize(w, stats.Hessian(), QuantScheme.Int4Grouped(48))).Message);
        Assert.Throws<InvalidOperationException>(() => new CalibrationStats(8).Hessian());
    }
}
