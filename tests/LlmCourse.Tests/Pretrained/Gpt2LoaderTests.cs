using LlmCourse.Model;
using LlmCourse.Pretrained;
using LlmCourse.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Pretrained;

public class Gpt2LoaderTests
{
    private static readonly long[] Prompt = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26];

    [Fact]
    public void A_tiny_GPT2_file_loads_with_its_shapes_config_and_computes_what_GPT2_computes_from_the_raw_tensors()
    {
        using var folder = new TempFolder();
        var shape = Gpt2Shape.Tiny;
        var raw = Gpt2TestFiles.RandomTensors(shape);
        try
        {
            // The prefixed names and mask buffers of a GPT2LMHeadModel checkpoint.
            var path = Gpt2TestFiles.Write(folder.Path, raw, configJsonFor: shape, prefix: true, maskBuffers: true);
            using var model = Gpt2Weights.Load(path);

            var c = model.Config;
            Assert.Equal((shape.Vocab, shape.Width, shape.Layers, shape.Context, shape.Heads), (c.VocabSize, c.Width, c.Layers, c.ContextLength, c.Heads));
            Assert.Equal((PositionKind.Learned, NormKind.LayerNorm, MlpKind.Gelu, GeluApproximation.Tanh, true, true, 1e-5),
                (c.Positions, c.Norm, c.Mlp, c.Gelu, c.Bias, c.TiedHead, c.NormEpsilon));
            Assert.False(model.training);

            using var ids = torch.tensor(Prompt).unsqueeze(0);
            using var logits = model.call(ids);
            using var reference = Gpt2TestFiles.ReferenceLogits(raw, Prompt, shape.Heads);
            using var ours = logits[0].to(ScalarType.Float64);
            Assert.True(reference.abs().max().ToDouble() > 1, "the reference logits should not be trivially small");
            Assert.InRange(ModelTestData.MaxDifference(ours, reference), 0, 2e-5);
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    [Fact]
    public void Without_config_json_heads_follow_the_64_rule_and_the_rest_are_GPT2s_defaults()
    {
        using var folder = new TempFolder();
        var shape = new Gpt2Shape(Vocab: 50, Width: 128, Layers: 3, Context: 8, Heads: 2, Hidden: 192);
        var raw = Gpt2TestFiles.RandomTensors(shape);
        try
        {
            var config = Gpt2Weights.ReadConfig(Gpt2TestFiles.Write(folder.Path, raw));
            Assert.Equal((50, 128, 3, 8, 2, 192), (config.VocabSize, config.Width, config.Layers, config.ContextLength, config.Heads, config.MlpWidthAt(0)));
            Assert.Equal((GeluApproximation.Tanh, 1e-5, true), (config.Gelu, config.NormEpsilon, config.TiedHead));
            Assert.Empty(config.Problems());
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    [Fact]
    public void A_width_that_is_not_a_multiple_of_64_without_config_json_asks_for_n_head()
    {
        using var folder = new TempFolder();
        var raw = Gpt2TestFiles.RandomTensors(Gpt2Shape.Tiny);
        try
        {
            var error = Assert.Throws<Gpt2LayoutException>(() => Gpt2Weights.Load(Gpt2TestFiles.Write(folder.Path, raw)));
            Assert.Contains("n_head", error.Message);
            Assert.Contains("32", error.Message);
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    [Fact]
    public void A_missing_tensor_is_named_with_its_expected_shape()
    {
        var error = LoadBroken(raw => raw.Remove("h.1.mlp.c_fc.bias", out var removed) && Dispose(removed));
        Assert.Equal(["h.1.mlp.c_fc.bias [128]"], error.Missing);
        Assert.Empty(error.Unexpected);
        Assert.Contains("missing tensor h.1.mlp.c_fc.bias [128]", error.Message);
    }

    [Fact]
    public void A_renamed_tensor_is_named_twice_missing_under_its_real_name_and_unexpected_under_the_new_one()
    {
        var error = LoadBroken(raw =>
        {
            raw.Remove("h.0.attn.c_proj.weight", out var tensor);
            raw["h.0.attn.o_proj.weight"] = tensor!;
            return true;
        });
        Assert.Equal(["h.0.attn.c_proj.weight [32, 32]"], error.Missing);
        Assert.Equal(["h.0.attn.o_proj.weight [32, 32]"], error.Unexpected);
        Assert.Contains("h.0.attn.c_proj.weight", error.Message);
        Assert.Contains("h.0.attn.o_proj.weight", error.Message);
        Assert.Contains("rename it back", error.Message);
    }

    [Fact]
    public void A_tensor_stored_in_Linear_orientation_instead_of_Conv1D_is_named_with_both_shapes()
    {
        var error = LoadBroken(raw =>
        {
            var conv1D = raw["h.1.attn.c_attn.weight"];
            raw["h.1.attn.c_attn.weight"] = conv1D.t().contiguous();
            conv1D.Dispose();
            return true;
        });
        var problem = Assert.Single(error.Mismatched);
        Assert.Contains("h.1.attn.c_attn.weight is [96, 32] in the file", problem);
        Assert.Contains("needs [32, 96]", problem);
        Assert.Empty(error.Missing);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_including_a_block_missing_from_the_end()
    {
        // config.json says 2 layers; the file lost block 1 entirely and has an unknown extra tensor.
        var error = LoadBroken(raw =>
        {
            foreach (var name in raw.Keys.Where(k => k.StartsWith("h.1.", StringComparison.Ordinal)).ToList())
            {
                raw[name].Dispose();
                raw.Remove(name);
            }
            raw["score.weight"] = torch.zeros(2, 32);
            return true;
        });
        Assert.Equal(12, error.Missing.Count);
        Assert.All(error.Missing, m => Assert.StartsWith("h.1.", m));
        Assert.Equal(["score.weight [2, 32]"], error.Unexpected);
    }

    [Fact]
    public void A_config_json_of_another_model_size_is_named_field_by_field()
    {
        using var folder = new TempFolder();
        var raw = Gpt2TestFiles.RandomTensors(Gpt2Shape.Tiny);
        try
        {
            var path = Gpt2TestFiles.Write(folder.Path, raw, configJsonFor: Gpt2Shape.Tiny with { Width = 64, Vocab = 100 });
            var error = Assert.Throws<Gpt2LayoutException>(() => Gpt2Weights.ReadConfig(path));
            Assert.Contains(error.ConfigProblems, p => p.Contains("n_embd = 64") && p.Contains("wte.weight's second dimension = 32"));
            Assert.Contains(error.ConfigProblems, p => p.Contains("vocab_size = 100"));
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    [Fact]
    public void A_missing_file_names_the_download_command()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => Gpt2Weights.Load(folder.Path));
        Assert.Contains(Gpt2Weights.DownloadCommand, error.Message);
        Assert.False(Gpt2Weights.IsAvailable(folder.Path));
    }

    [Theory]
    [InlineData(ScalarType.Float16, 11)]  // F16 keeps 11 significant bits
    [InlineData(ScalarType.BFloat16, 8)]  // BF16 keeps 8
    public void Half_precision_files_load_to_the_float32_values_rounded_to_their_precision(ScalarType stored, int significantBits)
    {
        using var folder = new TempFolder();
        var shape = Gpt2Shape.Tiny;
        var raw = Gpt2TestFiles.RandomTensors(shape);
        Directory.CreateDirectory(Path.Combine(folder.Path, "f32"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "half"));
        try
        {
            using var full = Gpt2Weights.Load(Gpt2TestFiles.Write(Path.Combine(folder.Path, "f32"), raw, configJsonFor: shape));
            using var half = Gpt2Weights.Load(Gpt2TestFiles.Write(Path.Combine(folder.Path, "half"), raw, configJsonFor: shape, storeAs: stored));
            var fullWeights = full.state_dict();
            var relativeStep = Math.Pow(2, -significantBits); // the largest relative rounding error, half a unit in the last place
            foreach (var (name, loaded) in half.state_dict())
            {
                using var scope = torch.NewDisposeScope();
                Assert.Equal(ScalarType.Float32, loaded.dtype);
                var expected = fullWeights[name];
                // Exactly what rounding the float32 value to the file's type gives: nothing else changed on the way.
                Assert.True(loaded.eq(expected.to(stored).to(ScalarType.Float32)).all().ToBoolean(), $"{name}: not the rounded float32 values");
                // Within the type's precision: relative for normal numbers, plus F16's subnormal spacing for the tiniest.
                var excess = ((loaded - expected).abs() - (expected.abs() * relativeStep + Math.Pow(2, -24))).max().ToDouble();
                Assert.True(excess <= 0, $"{name}: off by more than the precision of {stored}");
            }
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    private static bool Dispose(Tensor? tensor)
    {
        tensor?.Dispose();
        return true;
    }

    private static Gpt2LayoutException LoadBroken(Func<Dictionary<string, Tensor>, bool> breakIt)
    {
        using var folder = new TempFolder();
        var raw = Gpt2TestFiles.RandomTensors(Gpt2Shape.Tiny);
        try
        {
            breakIt(raw);
            var path = Gpt2TestFiles.Write(folder.Path, raw, configJsonFor: Gpt2Shape.Tiny);
            return Assert.Throws<Gpt2LayoutException>(() => Gpt2Weights.Load(path));
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }
}
