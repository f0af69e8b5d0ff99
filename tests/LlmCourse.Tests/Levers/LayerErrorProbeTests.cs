using LlmCourse.Levers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class LayerErrorProbeTests
{
    private static Tensor Tokens(int seed) => randn(4, 6, 16, generator: new Generator((ulong)seed));

    private static Action Calibration(nn.Module<Tensor, Tensor> model) => () =>
    {
        for (var i = 0; i < 3; i++) model.forward(Tokens(20 + i));
    };

    [Fact]
    public void Errors_match_a_direct_computation_on_the_recorded_inputs_and_rank_the_schemes()
    {
        using var reference = ToyModel.Create();
        // The head's inputs, captured independently of the probe, for a direct check of its number.
        using var headStats = ActivationRecorder.Capture(reference, "head", 16, Calibration(reference), maxSampleRows: 1000);
        using var probe = LayerErrorProbe.Record(reference, Calibration(reference));
        Assert.Equal(13, probe.Names.Count);
        Assert.IsType<Linear>(ModuleSurgery.Get(reference, "head")); // the layers were put back

        Assert.All(probe.Measure(reference), e => Assert.Equal(0, e.Relative)); // the float model is its own reference

        using var int8 = ToyModel.Create();
        Quantizer.QuantizeLinears(int8, QuantScheme.Int8PerChannel());
        using var int4 = ToyModel.Create();
        Quantizer.QuantizeLinears(int4, QuantScheme.Int4Grouped(8));
        var errors8 = probe.Measure(int8);
        var errors4 = probe.Measure(int4);
        foreach (var (e8, e4) in errors8.Zip(errors4))
        {
            Assert.InRange(e8.Relative, 1e-8, 1e-3);
            Assert.True(e4.Relative > 10 * e8.Relative, $"{e4.Name}: int4 {e4.Relative:E2} vs int8 {e8.Relative:E2}");
        }

        var x = headStats.SampleInputs();
        var w = ((Linear)ModuleSurgery.Get(reference, "head")).weight!.detach();
        var wq = ((QuantizedLinear)ModuleSurgery.Get(int4, "head")).EffectiveWeight();
        var direct = (x.mm(w.t()) - x.mm(wq.t())).pow(2).sum().item<float>() / x.mm(w.t()).pow(2).sum().item<float>();
        Assert.Equal(direct, errors4.Single(e => e.Name == "head").Relative, 1e-4);
    }

    [Fact]
    public void A_lora_layer_is_scored_by_its_merged_weight_and_a_foreign_model_is_refused()
    {
        using var reference = ToyModel.Create();
        using var probe = LayerErrorProbe.Record(reference, Calibration(reference), @"\.q$");
        Assert.Equal(["blocks.0.q", "blocks.1.q"], probe.Names);
        using var tuned = ToyModel.Create();
        Lora.Apply(tuned, new LoraConfig(2, 4, @"\.q$"));
        Assert.All(probe.Measure(tuned), e => Assert.Equal(0, e.Relative, 1e-12)); // B = 0: no change yet
        using (no_grad()) Lora.Adapters(tuned)[0].Layer.B.fill_(0.1f);
        Assert.True(probe.Measure(tuned)[0].Relative > 1e-3);
        Lora.Merge(tuned);
        Assert.True(probe.Measure(tuned)[0].Relative > 1e-3);

        using var wider = ToyModel.Create(width: 32);
        Assert.Contains("when recorded", Assert.Throws<ArgumentException>(() => probe.Measure(wider)).Message);
    }
}
