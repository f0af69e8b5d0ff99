using LlmCourse.Levers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class LoraTests
{
    private static readonly LoraConfig Config = new(Rank: 4, Alpha: 8, TargetPattern: @"\.(q|v|mlp\.fc)$");

    private static Tensor Input(int seed = 11) => randn(2, 5, 16, generator: new Generator((ulong)seed));

    /// <summary>Trains the adapters a few steps on a random regression target so B (and then A) move away from their start.</summary>
    private static void Train(nn.Module model, int steps = 3)
    {
        var optimizer = optim.AdamW(Lora.TrainableParametersOf(model), lr: 0.05);
        var x = Input();
        var target = randn(2, 5, 8, generator: new Generator(99));
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.mse_loss(((nn.Module<Tensor, Tensor>)model).forward(x), target).backward();
            optimizer.step();
        }
    }

    [Fact]
    public void A_freshly_wrapped_model_computes_what_the_base_did()
    {
        using var model = ToyModel.Create();
        var x = Input();
        var before = model.forward(x);
        var report = Lora.Apply(model, Config);
        Assert.Equal(["blocks.0.q", "blocks.0.v", "blocks.0.mlp.fc", "blocks.1.q", "blocks.1.v", "blocks.1.mlp.fc"], report.Layers);
        model.train(); // B = 0 makes the adapter path exactly zero, dropout or not
        Assert.True(model.forward(x).allclose(before, rtol: 0, atol: 1e-6));
        Assert.All(Lora.Adapters(model), a => Assert.True(a.Layer.A.abs().sum().item<float>() > 0)); // A is random, not zero
    }

    [Fact]
    public void Only_A_and_B_are_trainable_and_only_they_change_in_training()
    {
        using var model = ToyModel.Create();
        var report = Lora.Apply(model, Config);
        // r·(in + out) per adapted layer: q and v are 16 → 16, mlp.fc is 16 → 32; two blocks.
        Assert.Equal(2 * (4 * (16 + 16) * 2 + 4 * (16 + 32)), report.TrainableParameters);
        Assert.Equal(report.TrainableParameters, Lora.TrainableParameters(model));
        var frozenBefore = model.named_parameters().Where(p => !p.name.Contains("lora_")).ToDictionary(p => p.name, p => p.parameter.clone());
        var adaptersBefore = model.named_parameters().Where(p => p.name.Contains("lora_")).ToDictionary(p => p.name, p => p.parameter.clone());
        Assert.Equal(2 * 6, adaptersBefore.Count);

        Train(model);
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.Contains("lora_"))
            {
                Assert.True(p.requires_grad, name);
                Assert.NotNull(p.grad);
                Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} got no gradient");
                Assert.False(p.allclose(adaptersBefore[name], rtol: 0, atol: 0), $"{name} did not move");
            }
            else
            {
                Assert.False(p.requires_grad, name);
                Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0, $"frozen {name} got a gradient");
                Assert.True(p.allclose(frozenBefore[name], rtol: 0, atol: 0), $"frozen {name} changed");
            }
        }
    }

    [Fact]
    public void Merged_equals_unmerged_and_unmerging_restores_the_base_weights()
    {
        using var model = ToyModel.Create();
        Lora.Apply(model, Config);
        var baseWeights = Lora.Adapters(model).ToDictionary(a => a.Name, a => a.Layer.Weight.clone());
        Train(model);
        model.eval();
        var x = Input(5);
        var unmerged = model.forward(x);

        Lora.Merge(model);
        Assert.All(Lora.Adapters(model), a => Assert.True(a.Layer.Merged));
        Assert.False(Lora.Adapters(model)[0].Layer.Weight.allclose(baseWeights["blocks.0.q"], rtol: 0, atol: 1e-6)); // the update went in
        Assert.True(model.forward(x).allclose(unmerged, rtol: 0, atol: 1e-5));

        Lora.Unmerge(model);
        foreach (var (name, layer) in Lora.Adapters(model))
            Assert.True(layer.Weight.allclose(baseWeights[name], rtol: 0, atol: 1e-6), $"{name} not restored");
        Assert.True(model.forward(x).allclose(unmerged, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Unwrapping_with_merge_leaves_plain_linears_computing_the_fine_tuned_function()
    {
        using var model = ToyModel.Create();
        Lora.Apply(model, Config);
        Train(model);
        model.eval();
        var x = Input(6);
        var tuned = model.forward(x);
        Lora.Unwrap(model);
        Assert.Empty(Lora.Adapters(model));
        Assert.Equal(13, model.modules().OfType<Linear>().Count());
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("lora_"));
        Assert.True(model.forward(x).allclose(tuned, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void An_adapter_file_round_trips_into_a_fresh_base_model()
    {
        using var model = ToyModel.Create();
        Lora.Apply(model, Config);
        Train(model);
        model.eval();
        var x = Input(7);
        var tuned = model.forward(x);
        var path = Path.Combine(Path.GetTempPath(), $"llmcourse-lora-{Guid.NewGuid():N}.safetensors");
        try
        {
            var size = Lora.SaveAdapter(model, path, Config);
            // Only the adapters: 4 bytes per trainable parameter plus a header under a few KB, far below the model.
            Assert.InRange(size - 4 * Lora.TrainableParameters(model), 8, 4096);

            using var fresh = ToyModel.Create(); // same base weights
            var loaded = Lora.LoadAdapter(fresh, path);
            Assert.Equal(Config, loaded);
            fresh.eval();
            Assert.True(fresh.forward(x).allclose(tuned, rtol: 0, atol: 0));
            foreach (var ((name, a), (_, b)) in Lora.Adapters(model).Zip(Lora.Adapters(fresh)))
                Assert.True(a.A.allclose(b.A, rtol: 0, atol: 0) && a.B.allclose(b.B, rtol: 0, atol: 0), name);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_second_apply_adds_adapters_and_keeps_the_first_ones_trainable()
    {
        using var model = ToyModel.Create();
        var first = Lora.Apply(model, Config);
        var second = Lora.Apply(model, Config with { TargetPattern = @"\.k$" });
        Assert.Equal(["blocks.0.k", "blocks.1.k"], second.Layers);
        Assert.Equal(first.TrainableParameters + 2 * 4 * (16 + 16), second.TrainableParameters);
        Assert.Equal(8, Lora.Adapters(model).Count);
    }

    [Fact]
    public void Same_seed_same_adapters()
    {
        using var m1 = ToyModel.Create();
        using var m2 = ToyModel.Create();
        Lora.Apply(m1, Config);
        Lora.Apply(m2, Config);
        Assert.True(Lora.Adapters(m1)[2].Layer.A.allclose(Lora.Adapters(m2)[2].Layer.A, rtol: 0, atol: 0));
        using var m3 = ToyModel.Create();
        Lora.Apply(m3, Config with { Seed = 2 });
        Assert.False(Lora.Adapters(m1)[2].Layer.A.allclose(Lora.Adapters(m3)[2].Layer.A, rtol: 0, atol: 0));
    }

    [Fact]
    public void Bad_configs_give_errors_that_name_the_fix_and_change_nothing()
    {
        using var model = ToyModel.Create();
        var zero = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { Rank = 0 }));
        Assert.Contains("from 1 to 16", zero.Message);
        var big = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { Rank = 17 }));
        Assert.Contains("from 1 to 16", big.Message);
        var none = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { TargetPattern = "qkv$" }));
        Assert.Contains("no layer name matches", none.Message);
        Assert.Contains("blocks.0.q", none.Message);
        var norm = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { TargetPattern = @"(norm|\.q)$" }));
        Assert.Contains("LayerNorm", norm.Message);
        var block = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config with { TargetPattern = @"blocks\.0" }));
        Assert.Contains("ToyBlock", block.Message);
        Assert.Contains("anchor it with $", block.Message);
        Assert.Throws<InvalidOperationException>(() => Lora.Apply(new LinearTypedField(), Config with { TargetPattern = "proj", Rank = 2 }));

        Assert.Empty(Lora.Adapters(model));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad)); // nothing was frozen by the failed calls
        Lora.Apply(model, Config);
        var again = Assert.Throws<ArgumentException>(() => Lora.Apply(model, Config));
        Assert.Contains("LoraLinear", again.Message);
    }
}
