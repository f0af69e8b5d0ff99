using LlmCourse.Levers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class QuantizationTests
{
    public static TheoryData<string> Schemes => new()
    {
        "int8-tensor-sym", "int8-tensor-asym", "int8-channel-sym", "int8-channel-asym", "int4-g32-sym", "int4-g32-asym", "int4-g8-asym",
    };

    /// <summary>Weights like a trained layer's: mostly small, a few large outliers, and some rows entirely positive.</summary>
    private static Tensor RealisticWeight(long outFeatures = 48, long inFeatures = 64, int seed = 7)
    {
        var g = new Generator((ulong)seed);
        var w = randn(outFeatures, inFeatures, generator: g) * 0.02f;
        w[3, 5] = tensor(0.5f);
        w[10, 60] = tensor(-0.3f);
        w[20] = w[20].abs() + 0.01f; // a lopsided row: asymmetric grids should fit it better
        return w;
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Dequantized_weights_are_within_half_a_step_of_the_originals(string label)
    {
        var scheme = QuantScheme.Parse(label);
        var w = RealisticWeight();
        using var q = QuantizedTensor.Quantize(w, scheme);
        var error = (q.Dequantize() - w).abs();
        var halfStep = q.StepPerWeight() * 0.5;
        // float16 scales are fitted before rounding, so the only slack is float32 arithmetic.
        Assert.True((error <= halfStep * (1 + 1e-4) + 1e-7).all().item<bool>(),
            $"{label}: max error/half-step = {(error / halfStep).max().item<float>()}");
        // The grid is really that coarse: some weight lands well away from it (a bound that held for a zero step would be vacuous).
        Assert.True((error / halfStep).max().item<float>() > 0.5f);
        var levels = q.Levels();
        Assert.True(levels.max().item<byte>() <= scheme.MaxLevel);
        if (scheme.Symmetric)
            Assert.True(levels.min().item<byte>() >= 1); // symmetric grids use -(2^(b-1)-1) .. 2^(b-1)-1 around the zero-point
    }

    [Fact]
    public void Symmetric_keeps_zero_exact_and_asymmetric_fits_a_lopsided_row_better()
    {
        var w = RealisticWeight();
        w[1, 1] = tensor(0f);
        using var sym = QuantizedTensor.Quantize(w, QuantScheme.Int8PerChannel(symmetric: true));
        using var asym = QuantizedTensor.Quantize(w, QuantScheme.Int8PerChannel(symmetric: false));
        Assert.Equal(0f, sym.Dequantize()[1, 1].item<float>());
        var symErr = (sym.Dequantize()[20] - w[20]).abs().mean().item<float>();
        var asymErr = (asym.Dequantize()[20] - w[20]).abs().mean().item<float>();
        Assert.True(asymErr < 0.75 * symErr, $"lopsided row: asym {asymErr} vs sym {symErr}");
        // Per-channel scales beat one per-tensor scale when one row holds an outlier.
        using var perTensor = QuantizedTensor.Quantize(w, QuantScheme.Int8PerTensor());
        Assert.True((perTensor.Dequantize() - w).abs().mean().item<float>() > 2 * (sym.Dequantize() - w).abs().mean().item<float>());
    }

    [Fact]
    public void Int4_packing_round_trips_all_16_values_at_even_and_odd_positions()
    {
        // Every (even, odd) pair of nibbles: 256 pairs cover every value in both positions.
        var pairs = Enumerable.Range(0, 256).SelectMany(i => new[] { (byte)(i % 16), (byte)(i / 16) }).ToArray();
        var levels = tensor(pairs).reshape(4, 128);
        var packed = Int4Packing.Pack(levels);
        Assert.Equal(ScalarType.Byte, packed.dtype);
        Assert.Equal([4L, 64L], packed.shape);
        // Low nibble = even position, high nibble = odd position, i.e. byte i holds exactly the value i.
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), packed.data<byte>().ToArray());
        Assert.Equal(pairs, Int4Packing.Unpack(packed).data<byte>().ToArray());
    }

    [Fact]
    public void Packing_rejects_levels_that_do_not_fit()
    {
        Assert.Contains("0..15", Assert.Throws<ArgumentException>(() => Int4Packing.Pack(tensor(new byte[] { 3, 16 }))).Message);
        Assert.Contains("even", Assert.Throws<ArgumentException>(() => Int4Packing.Pack(tensor(new byte[] { 1, 2, 3 }))).Message);
    }

    [Theory]
    [InlineData("int4-g32-sym", 64 * 128 / 2, 64 * (128 / 32) * 2, 0)]
    [InlineData("int4-g32-asym", 64 * 128 / 2, 64 * (128 / 32) * 2, 64 * (128 / 32))]
    [InlineData("int8-channel-asym", 64 * 128, 64 * 2, 64)]
    [InlineData("int8-tensor-sym", 64 * 128, 2, 0)]
    public void Sizes_in_memory_and_on_disk_are_the_computed_ones(string label, int codeBytes, int scaleBytes, int zeroBytes)
    {
        var model = nn.Sequential(("fc", nn.Linear(128, 64)));
        Quantizer.QuantizeLinears(model, QuantScheme.Parse(label));
        var layer = Assert.IsType<QuantizedLinear>(ModuleSurgery.Get(model, "fc"));
        var biasBytes = 64 * 4;
        Assert.Equal(codeBytes + scaleBytes + zeroBytes, layer.Weight.StorageBytes);
        Assert.Equal(codeBytes + scaleBytes + zeroBytes + biasBytes, layer.StorageBytes);

        var path = Path.Combine(Path.GetTempPath(), $"llmcourse-q-{Guid.NewGuid():N}.safetensors");
        try
        {
            var header = QuantizedCheckpoint.Save(model, path);
            Assert.Equal(layer.StorageBytes + header, new FileInfo(path).Length);
            Assert.InRange(header, 16, 1024); // 8-byte length + a short JSON header
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("int4-g16-asym")]
    [InlineData("int8-channel-sym")]
    public void Quantized_linear_equals_a_float_linear_with_the_dequantized_weight(string label)
    {
        var linear = nn.Linear(64, 32);
        var layer = QuantizedLinear.FromLinear(linear, QuantScheme.Parse(label));
        var x = randn(3, 5, 64);
        var reference = nn.functional.linear(x, layer.Weight.Dequantize(), linear.bias);
        Assert.True(layer.forward(x).allclose(reference, rtol: 0, atol: 1e-6));
        // And it is an approximation of the original layer, not something else.
        var relative = ((layer.forward(x) - linear.forward(x)).norm() / linear.forward(x).norm()).item<float>();
        Assert.InRange(relative, 1e-6, label.StartsWith("int8") ? 0.01 : 0.1);
    }

    [Fact]
    public void Quantizing_a_model_replaces_its_linears_and_a_checkpoint_restores_it()
    {
        using var model = ToyModel.Create();
        var x = randn(2, 4, 16);
        var before = model.forward(x);
        var names = Quantizer.QuantizeLinears(model, QuantScheme.Int4Grouped(8, symmetric: false), @"mlp\.(fc|proj)$");
        Assert.Equal(["blocks.0.mlp.fc", "blocks.0.mlp.proj", "blocks.1.mlp.fc", "blocks.1.mlp.proj"], names);
        Assert.Equal(4, model.modules().OfType<QuantizedLinear>().Count());
        Assert.Equal(9, model.modules().OfType<Linear>().Count()); // q, k, v, o twice, head
        var after = model.forward(x);
        Assert.False(after.allclose(before, rtol: 0, atol: 1e-7));
        Assert.True(((after - before).norm() / before.norm()).item<float>() < 0.1);

        var path = Path.Combine(Path.GetTempPath(), $"llmcourse-q-{Guid.NewGuid():N}.safetensors");
        try
        {
            QuantizedCheckpoint.Save(model, path);
            using var fresh = ToyModel.Create(); // same seed: same float weights elsewhere
            Assert.Equal(names, QuantizedCheckpoint.Load(fresh, path).OrderBy(n => n));
            Assert.True(fresh.forward(x).allclose(after, rtol: 0, atol: 0));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Bad_schemes_and_targets_give_errors_that_name_the_fix()
    {
        using var model = ToyModel.Create();
        var bits = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(model, new QuantScheme(3, QuantGranularity.PerChannel)));
        Assert.Contains("Bits = 8", bits.Message);
        var group = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(model, QuantScheme.Int4Grouped(groupSize: 12)));
        Assert.Contains("does not divide", group.Message);
        Assert.Contains("16", group.Message);
        var none = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(model, QuantScheme.Int8PerChannel(), "nothing_like_this"));
        Assert.Contains("no layer name matches", none.Message);
        var norm = Assert.Throws<ArgumentException>(() => Quantizer.QuantizeLinears(model, QuantScheme.Int8PerChannel(), @"norm$"));
        Assert.Contains("LayerNorm", norm.Message);
        Assert.Empty(model.modules().OfType<QuantizedLinear>()); // nothing changed on failure
    }

    [Fact]
    public void Scheme_labels_round_trip()
    {
        foreach (var label in Schemes) Assert.Equal(label, QuantScheme.Parse(label).ToString());
        Assert.Throws<FormatException>(() => QuantScheme.Parse("int4-g-sym"));
    }
}
