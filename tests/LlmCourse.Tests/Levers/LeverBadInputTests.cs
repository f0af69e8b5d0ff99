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
