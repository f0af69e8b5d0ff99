using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class ModelSurgeryTests
{
    /// <summary>A stand-in for a LoRA wrapper: calls the original layer and counts calls.</summary>
    private sealed class CountingWrapper : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        public int Calls;

        public CountingWrapper(nn.Module<Tensor, Tensor> inner) : base(nameof(CountingWrapper))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            return inner.call(x);
        }
    }

    [Fact]
    public void Replacing_a_projection_by_path_routes_the_forward_through_the_replacement()
    {
        using var model = new GptModel(GptConfig.Tiny(40));
        using var ids = ModelTestData.Ids(40, 1, 6);
        using var before = model.call(ids);
        Assert.Contains(model.NamedLinears(), l => l.Path == "blocks.1.attn.v_proj");
        var original = model.NamedLinears().Single(l => l.Path == "blocks.1.attn.v_proj").Module;
        var wrapper = new CountingWrapper(original);
        var returned = model.ReplaceModule("blocks.1.attn.v_proj", wrapper);
        Assert.Same(original, returned);
        using var after = model.call(ids);
        Assert.Equal(1, wrapper.Calls);
        Assert.Equal(0, ModelTestData.MaxDifference(before, after));
        // The wrapped weight is still one parameter, now under the wrapper's path.
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("blocks.1.attn.v_proj.inner.weight", names);
        Assert.Equal(GptConfig.Tiny(40).ParameterCount(), model.ParameterCount);
    }

    [Fact]
    public void Replacing_an_unknown_or_fixed_child_is_explained()
    {
        using var model = new GptModel(GptConfig.Tiny(40));
        using var spare = nn.Linear(32, 32);
        Assert.Contains("NamedLinears()", Assert.Throws<ArgumentException>(() => model.ReplaceModule("blocks.0.attn.w_proj", spare)).Message);
        Assert.Contains("does not allow", Assert.Throws<ArgumentException>(() => model.ReplaceModule("blocks.0.attn_norm", spare)).Message);
    }

    [Fact]
    public void A_smaller_projection_set_means_fewer_heads_with_no_other_change()
    {
        // Structured pruning's shape: layer 1 keeps 2 of 4 heads. A model built with that config runs, and so does
        // the full model after its projections are swapped for 2-head ones.
        var pruned = GptConfig.Tiny(40) with { HeadsPerLayer = [4, 2] };
        using var small = new GptModel(pruned);
        using var ids = ModelTestData.Ids(40, 2, 8);
        using var logits = small.call(ids);
        Assert.Equal(new long[] { 2, 8, 40 }, logits.shape);

        using var full = new GptModel(GptConfig.Tiny(40));
        foreach (var name in new[] { "q_proj", "k_proj", "v_proj" })
            full.ReplaceModule($"blocks.1.attn.{name}", nn.Linear(32, 16, hasBias: false));
        full.ReplaceModule("blocks.1.attn.o_proj", nn.Linear(16, 32, hasBias: false));
        using var swapped = full.call(ids);
        Assert.Equal(full.ParameterCount, pruned.ParameterCount());
    }

    [Fact]
    public void Rope_scaling_one_is_the_unscaled_model_exactly_and_other_scales_change_the_logits()
    {
        using var model = new GptModel(GptConfig.Tiny(40));
        using var ids = ModelTestData.Ids(40, 1, 16);
        using var plain = model.call(ids);
        model.RopeScaling = RopeScaling.Linear(2);
        using var stretched = model.call(ids);
        Assert.True(ModelTestData.MaxDifference(plain, stretched) > 1e-4);
        Assert.Equal(RopeScaling.Linear(2), model.Config.RopeScaling);
        model.RopeScaling = new RopeScaling(PositionScale: 1, NtkAlpha: 1);
        using var back = model.call(ids);
        Assert.Equal(0, ModelTestData.MaxDifference(plain, back));
        Assert.Null(model.Config.RopeScaling);
        using var learned = new GptModel(GptConfig.Tiny(40) with { Positions = PositionKind.Learned });
        Assert.Throws<InvalidOperationException>(() => learned.RopeScaling = RopeScaling.Ntk(2));
    }
}
