using LlmCourse.Levers.Pruning;
using LlmCourse.Model;
using LlmCourse.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class MagnitudePruningTests
{
    private const int Vocab = 40;

    private static Dictionary<string, Tensor> BlockWeights(GptModel model) =>
        model.NamedLinears().Where(l => l.Path.StartsWith("blocks.")).ToDictionary(l => l.Path, l => l.Module.weight!.detach().clone());

    private static long Zeros(Tensor t) => t.eq(0).sum().item<long>();

    [Theory]
    [InlineData(0.37)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Per_layer_pruning_zeros_exactly_the_requested_share_of_each_layer_smallest_first(double sparsity)
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var before = BlockWeights(model);

        using var mask = MagnitudePruning.Prune(model, sparsity, PruningScope.PerLayer);

        Assert.Equal(before.Keys, mask.Weights.Select(w => w.Name));
        foreach (var w in mask.Weights)
        {
            var expected = (long)Math.Round(sparsity * w.Count, MidpointRounding.AwayFromZero);
            Assert.Equal(expected, w.PrunedCount);
            Assert.Equal(expected, Zeros(w.Weight)); // random init has no zeros of its own
            var magnitude = before[w.Name].abs();
            var largestPruned = magnitude.masked_select(w.Pruned).max().item<float>();
            var smallestKept = magnitude.masked_select(w.Pruned.logical_not()).min().item<float>();
            Assert.True(largestPruned <= smallestKept, $"{w.Name}: pruned |w| up to {largestPruned}, kept from {smallestKept}");
        }
    }

    [Fact]
    public void Global_pruning_meets_the_total_exactly_with_one_threshold_across_layers()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var before = BlockWeights(model);

        using var mask = MagnitudePruning.Prune(model, 0.6, PruningScope.Global);

        var total = before.Values.Sum(w => w.numel());
        Assert.Equal((long)Math.Round(0.6 * total), mask.PrunedCount);
        Assert.Equal(mask.PrunedCount, mask.Weights.Sum(w => Zeros(w.Weight)));
        var largestPruned = mask.Weights.Max(w => before[w.Name].abs().masked_select(w.Pruned).max().item<float>());
        var smallestKept = mask.Weights.Min(w => before[w.Name].abs().masked_select(w.Pruned.logical_not()).min().item<float>());
        Assert.True(largestPruned <= smallestKept);
        // The output projections start with smaller weights (init std / √(2·layers)), so one global ranking takes more of them.
        var share = mask.Weights.ToDictionary(w => w.Name, w => w.Sparsity);
        Assert.True(share["blocks.0.attn.o_proj"] > share["blocks.0.attn.q_proj"] + 0.1, $"o_proj {share["blocks.0.attn.o_proj"]:P1}, q_proj {share["blocks.0.attn.q_proj"]:P1}");
    }

    [Fact]
    public void Zero_sparsity_prunes_nothing_and_the_embedding_is_never_a_target()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var embeddingBefore = model.TokenEmbeddingWeight.detach().clone();
        using var none = MagnitudePruning.Prune(model, 0);
        Assert.Equal(0, none.PrunedCount);
        using var most = MagnitudePruning.Prune(model, 0.95, PruningScope.Global);
        Assert.DoesNotContain(most.Weights, w => w.Name.Contains("embedding"));
        Assert.True(model.TokenEmbeddingWeight.allclose(embeddingBefore, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_sparsity_outside_zero_to_one_is_refused_with_the_range_named(double sparsity)
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var before = model.NamedLinears().First().Module.weight!.detach().clone();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruning.Prune(model, sparsity));
        Assert.Contains("[0, 1)", e.Message);
        Assert.Contains("0.5", e.Message);
        Assert.True(model.NamedLinears().First().Module.weight!.allclose(before, rtol: 0, atol: 0)); // nothing touched
    }

    [Fact]
    public void A_pattern_that_matches_no_linear_is_explained()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var e = Assert.Throws<ArgumentException>(() => MagnitudePruning.Prune(model, 0.5, pattern: @"\.c_fc$"));
        Assert.Contains("Linear layers of this model are named like", e.Message);
    }

    [Fact]
    public void Pruned_weights_stay_zero_through_a_healing_fine_tune_and_the_others_learn()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var mask = MagnitudePruning.Prune(model, 0.5, PruningScope.Global);
        var pruned = BlockWeights(model);
        var tokens = Enumerable.Range(0, 400).Select(i => i * 7 % Vocab).ToList();

        var history = Healing.Run(model, tokens, tokens, Healing.Settings(steps: 4, batchSize: 4) with { LearningRate = 1e-2, MinLearningRate = 1e-2 }, mask);

        Assert.Equal(4, history.Train.Count);
        foreach (var w in mask.Weights)
        {
            Assert.Equal(0, w.Weight.masked_select(w.Pruned).abs().max().item<float>());
            var moved = (w.Weight - pruned[w.Name]).abs().masked_select(w.Pruned.logical_not()).max().item<float>();
            Assert.True(moved > 1e-4, $"{w.Name}: the kept weights did not train");
        }
    }

    [Fact]
    public void Without_the_mask_an_optimizer_step_revives_pruned_weights()
    {
        // The control for the test above: the re-application is what keeps them at zero.
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var mask = MagnitudePruning.Prune(model, 0.5);
        var tokens = Enumerable.Range(0, 400).Select(i => i * 7 % Vocab).ToList();

        Healing.Run(model, tokens, tokens, Healing.Settings(steps: 1, batchSize: 4), mask: null);

        Assert.All(mask.Weights, w => Assert.True(w.Weight.masked_select(w.Pruned).abs().max().item<float>() > 0));
    }

    [Fact]
    public void Masked_gradients_keep_pruned_weights_zero_under_a_fresh_adamw_in_a_hand_written_loop()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var mask = MagnitudePruning.Prune(model, 0.7);
        using var ids = ModelTestData.Ids(Vocab, 4, 16);
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2, weight_decay: 0.1);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.Loss(ids[.., ..^1], ids[.., 1..]).backward();
            mask.MaskGradients();
            optimizer.step(); // no Apply(): the gradients alone must keep them at zero
        }
        Assert.All(mask.Weights, w => Assert.Equal(0, w.Weight.masked_select(w.Pruned).abs().max().item<float>()));
        Assert.Equal(mask.PrunedCount, mask.Weights.Sum(w => Zeros(w.Weight)));
    }
}
