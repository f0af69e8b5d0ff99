using LlmCourse.Levers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

/// <summary>Requests the levers cannot honour: each fails before changing the model, with a message naming the fix.</summary>
public class LeverBadInputTests
{
    private static readonly LoraConfig Config = new(Rank: 4, Alpha: 8, TargetPattern: @"\.(q|v)$");

    [Fact]
    public void Quantizing_a_layer_held_in_a_Linear_typed_field_names_the_declaration_to_change()
    {
        using var model = new LinearTypedField();
        var e = Assert.Throws<InvalidOperationException>(() => Quantizer.QuantizeLinears(model, QuantScheme.Int8PerChannel()));
        Assert.Contains("Module<Tensor, Tensor>", e.Message);
        Assert.IsType<Linear>(ModuleSurgery.Get(model, "proj"));
    }

    [Fact]
    public void Int4_on_an_odd_width_and_unsupported_bits_are_refused()
    {
        var odd = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(nn.Sequential(("fc", nn.Linear(7, 4))), QuantScheme.Int4Grouped(7)));
        Assert.Contains("must be even", odd.Message);
        Assert.Contains("Use int8", odd.Message);
        Assert.Contains("Bits = 4", Assert.Throws<ArgumentException>(() => QuantizedTensor.Quantize(randn(4, 8), new QuantScheme(2, QuantGranularity.PerChannel))).Message);
    }

    [Fact]
    public void Levers_do_not_stack_lora_on_quantized_layers_or_quantization_on_adapters()
    {
        using var quantized = ToyModel.Create();
        Quantizer.QuantizeLinears(quantized, QuantScheme.Int8PerChannel());
        var lora = Assert.Throws<ArgumentException>(() => Lora.Apply(quantized, Config));
        Assert.Contains("already a QuantizedLinear", lora.Message);
        Assert.Contains("merge it", lora.Message);
        Assert.Empty(Lora.Adapters(quantized));

        using var adapted = ToyModel.Create();
        Lora.Apply(adapted, Config);
        var quant = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(adapted, QuantScheme.Int8PerChannel(), @"\.q$"));
        Assert.Contains("already a LoraLinear", quant.Message);
    }

    [Fact]
    public void Calibrated_quantizers_refuse_a_pattern_that_matches_a_norm()
    {
        using var model = ToyModel.Create();
        var calls = 0;
        var e = Assert.Throws<ArgumentException>(() => CalibratedQuantizer.ApplyGptq(model, QuantScheme.Int4Grouped(8), () => calls++, @"(norm|\.q)$"));
        Assert.Contains("LayerNorm", e.Message);
        Assert.Equal(0, calls); // refused before any calibration pass
        Assert.Contains("LayerNorm", Assert.Throws<ArgumentException>(() => CalibratedQuantizer.ApplyAwq(model, QuantScheme.Int4Grouped(8), () => calls++, @"norm$")).Message);
        Assert.Empty(model.modules().OfType<QuantizedLinear>());
    }

    [Fact]
    public void Lora_dropout_outside_zero_to_one_is_refused()
    {
        using var model = ToyModel.Create();
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { Dropout = 1.0 })).Message);
    }

    [Fact]
    public void Adapter_and_checkpoint_files_that_do_not_fit_are_explained()
    {
        var folder = Directory.CreateTempSubdirectory("llmcourse-levers-").FullName;
        try
        {
            var adapterPath = Path.Combine(folder, "adapter.safetensors");
            using (var tuned = ToyModel.Create())
            {
                Lora.Apply(tuned, Config);
                Lora.SaveAdapter(tuned, adapterPath, Config);
            }
            using var smaller = ToyModel.Create();
            Lora.Apply(smaller, Config with { Rank = 2, Alpha = 4 }); // same alpha/rank, other shapes
            Assert.Contains("rank or layer size differs", Assert.Throws<InvalidDataException>(() => Lora.LoadAdapter(smaller, adapterPath)).Message);
            using var otherLayers = ToyModel.Create();
            Lora.Apply(otherLayers, Config with { TargetPattern = @"\.k$" });
            Assert.Contains("other layers", Assert.Throws<InvalidDataException>(() => Lora.LoadAdapter(otherLayers, adapterPath)).Message);

            // An adapter file is not a quantized checkpoint, and vice versa.
            using var plain = ToyModel.Create();
            var notQuantized = Assert.Throws<InvalidDataException>(() => QuantizedCheckpoint.Load(plain, adapterPath));
            Assert.Contains("not a quantized checkpoint", notQuantized.Message);
            Assert.Empty(plain.modules().OfType<QuantizedLinear>());
            var quantPath = Path.Combine(folder, "int8.safetensors");
            using (var quantized = ToyModel.Create())
            {
                Quantizer.QuantizeLinears(quantized, QuantScheme.Int8PerChannel());
                QuantizedCheckpoint.Save(quantized, quantPath);
            }
            Assert.Contains("no LoRA metadata", Assert.Throws<InvalidDataException>(() => Lora.LoadAdapter(plain, quantPath)).Message);

            using var wider = ToyModel.Create(width: 32);
            var shape = Assert.Throws<InvalidDataException>(() => QuantizedCheckpoint.Load(wider, quantPath));
            Assert.Contains("architecture it was saved from", shape.Message);
            Assert.Empty(wider.modules().OfType<QuantizedLinear>()); // checked before any layer was swapped
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}

public class SimulatedQuantizationTests
{
    [Fact]
    public void Simulated_int8_and_int4_match_the_real_thing_and_int2_keeps_three_levels_per_group()
    {
        var x = randn(3, 5, 16, generator: new Generator(4));
        foreach (var scheme in new[] { QuantScheme.Int8PerChannel(), QuantScheme.Int4Grouped(8, symmetric: false) })
        {
            using var real = ToyModel.Create();
            Quantizer.QuantizeLinears(real, scheme);
            using var simulated = ToyModel.Create();
            Quantizer.SimulateLinears(simulated, scheme);
            Assert.Empty(simulated.modules().OfType<QuantizedLinear>()); // still float layers
            Assert.True(simulated.forward(x).allclose(real.forward(x), rtol: 1e-5, atol: 1e-6), scheme.ToString());
        }
        using var two = ToyModel.Create();
        using var reference = ToyModel.Create();
        Quantizer.SimulateLinears(two, new QuantScheme(2, QuantGranularity.Grouped, 8));
        var w = ((Linear)ModuleSurgery.Get(two, "head")).weight!;
        var original = ((Linear)ModuleSurgery.Get(reference, "head")).weight!;
        var groups = w.reshape(-1, 8);
        for (var g = 0; g < groups.shape[0]; g++)
        {
            var levels = groups[g].unique().Item1; // symmetric 2-bit: −s, 0, +s
            Assert.InRange(levels.shape[0], 1, 3);
            var step = original.reshape(-1, 8)[g].abs().max().item<float>();
            Assert.True((groups[g] - original.reshape(-1, 8)[g]).abs().max().item<float>() <= step / 2 * 1.002 + 1e-7);
        }
    }

    [Fact]
    public void Simulated_widths_outside_two_to_eight_and_ragged_groups_are_refused()
    {
        using var model = ToyModel.Create();
        Assert.Contains("2 to 8 bits", Assert.Throws<ArgumentException>(() => Quantizer.SimulateLinears(model, new QuantScheme(1, QuantGranularity.PerChannel))).Message);
        Assert.Contains("does not divide", Assert.Throws<ArgumentException>(() => Quantizer.SimulateLinears(model, new QuantScheme(3, QuantGranularity.Grouped, 12))).Message);
    }
}
