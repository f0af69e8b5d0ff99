using LlmCourse.Levers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class CalibratedQuantizerTests(ITestOutputHelper output)
{
    [Fact]
    public void The_recorder_sees_the_layer_inputs_and_puts_the_layer_back()
    {
        var fc1 = nn.Linear(8, 6);
        var model = nn.Sequential(("fc1", fc1), ("act", nn.ReLU()), ("fc2", nn.Linear(6, 4)));
        var x = randn(3, 5, 8);
        var y = model.forward(x);
        Tensor? during = null;
        using var stats = ActivationRecorder.Capture(model, "fc1", 8, () => during = model.forward(x));
        Assert.Same(fc1, ModuleSurgery.Get(model, "fc1"));
        Assert.True(during!.allclose(y, rtol: 0, atol: 0)); // recording does not change the output
        Assert.Equal(15, stats.Rows);
        var flat = x.reshape(-1, 8).to(ScalarType.Float64);
        Assert.True(stats.Hessian().allclose(flat.t().mm(flat) * (2.0 / 15), rtol: 1e-9, atol: 1e-9));
        Assert.True(stats.MeanAbs().allclose(x.reshape(-1, 8).abs().mean([0]), rtol: 1e-5, atol: 1e-6));
    }

    /// <summary>Token vectors with structure, like a real residual stream: correlated channels and one loud channel.</summary>
    private static Tensor Tokens(int seed)
    {
        var mixing = randn(4, 16, generator: new Generator(77));
        var g = new Generator((ulong)seed);
        var x = randn(8 * 12, 4, generator: g).mm(mixing) + randn(8 * 12, 16, generator: g) * 0.2;
        x[.., 3] *= 8;
        return x.reshape(8, 12, 16);
    }

    private static Action Calibration(ToyModel model, int seed)
    {
        var batches = Enumerable.Range(0, 4).Select(i => Tokens(seed + i)).ToList();
        return () => { foreach (var b in batches) model.forward(b); };
    }

    private static double ModelError(ToyModel reference, ToyModel quantized)
    {
        var x = Tokens(500);
        return (quantized.forward(x) - reference.forward(x)).pow(2).mean().item<float>();
    }

    [Fact]
    public void Gptq_and_awq_on_a_model_replace_the_layers_and_beat_round_to_nearest()
    {
        var scheme = QuantScheme.Int4Grouped(8);
        using var reference = ToyModel.Create();
        using var rtn = ToyModel.Create();
        Quantizer.QuantizeLinears(rtn, scheme);
        var rtnError = ModelError(reference, rtn);

        using var gptq = ToyModel.Create();
        var gptqReports = CalibratedQuantizer.ApplyGptq(gptq, scheme, Calibration(gptq, 10));
        using var awq = ToyModel.Create();
        var awqReports = CalibratedQuantizer.ApplyAwq(awq, scheme, Calibration(awq, 10));

        foreach (var (name, model) in new[] { ("GPTQ", gptq), ("AWQ", awq) })
        {
            Assert.Empty(model.modules().OfType<Linear>());
            Assert.Equal(13, model.modules().OfType<QuantizedLinear>().Count());
            Assert.Empty(model.modules().OfType<ActivationRecorder>());
            output.WriteLine($"{name}: model output MSE {ModelError(reference, model):E3} vs RTN {rtnError:E3}");
        }
        Assert.Equal(13, gptqReports.Count);
        Assert.All(gptqReports, r => Assert.True(r.Ratio < 1, $"{r.Name}: GPTQ/RTN = {r.Ratio}"));
        Assert.All(awqReports, r => Assert.True(r.Ratio <= 1 + 1e-6, $"{r.Name}: AWQ/RTN = {r.Ratio}"));
        Assert.True(ModelError(reference, gptq) < 0.9 * rtnError);
        Assert.True(ModelError(reference, awq) < 0.9 * rtnError);
    }

    [Fact]
    public void Calibrated_quantizers_check_the_request_first()
    {
        using var model = ToyModel.Create();
        var never = () => { };
        Assert.Contains("per-channel or grouped", Assert.Throws<ArgumentException>(() =>
            CalibratedQuantizer.ApplyGptq(model, QuantScheme.Int8PerTensor(), never)).Message);
        Assert.Contains("does not divide", Assert.Throws<ArgumentException>(() =>
            CalibratedQuantizer.ApplyAwq(model, QuantScheme.Int4Grouped(12), never)).Message);
        Assert.Contains("No calibration data", Assert.Throws<InvalidOperationException>(() =>
            CalibratedQuantizer.ApplyGptq(model, QuantScheme.Int4Grouped(8), never, @"\.head$|^head$")).Message);
        Assert.IsType<Linear>(ModuleSurgery.Get(model, "head")); // the failed layer was put back
    }
}
