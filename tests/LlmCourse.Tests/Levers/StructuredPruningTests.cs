using LlmCourse.Levers.Pruning;
using LlmCourse.Model;
using LlmCourse.Tests.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class StructuredPruningTests
{
    private const int Vocab = 40;

    private static GptModel CopyOf(GptModel model)
    {
        var copy = new GptModel(model.Config, initialize: false);
        copy.LoadWeights(model.state_dict());
        return copy;
    }

    private static Tensor WeightAt(GptModel model, string path) => model.NamedLinears().Single(l => l.Path == path).Module.weight!;

    private static StructuredPlan Plan(int[][] heads, int[][] neurons) => new(heads, neurons);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Removing_heads_equals_the_original_with_those_heads_outputs_zeroed(bool bias)
    {
        var config = GptConfig.Tiny(Vocab) with { Bias = bias };
        using var model = new GptModel(config);
        var plan = Plan([[1, 3], [2]], [[], []]);

        using var pruned = StructuredPruning.Apply(model, plan);

        // Reference, built another way: keep every head but multiply the removed heads' outputs by 0 (their o_proj columns).
        using var reference = CopyOf(model);
        using (no_grad())
        {
            WeightAt(reference, "blocks.0.attn.o_proj")[.., 8..16].zero_();
            WeightAt(reference, "blocks.0.attn.o_proj")[.., 24..32].zero_();
            WeightAt(reference, "blocks.1.attn.o_proj")[.., 16..24].zero_();
        }
        using var ids = ModelTestData.Ids(Vocab, 2, 16);
        using var expected = reference.call(ids);
        using var actual = pruned.call(ids);
        Assert.True(ModelTestData.MaxDifference(expected, actual) < 1e-5, $"max difference {ModelTestData.MaxDifference(expected, actual)}");
        Assert.Equal([2, 3], pruned.Config.HeadsPerLayer!);
        Assert.Null(pruned.Config.MlpWidthPerLayer);
        var perHead = 3 * (32 * 8 + (bias ? 8 : 0)) + 8 * 32; // q, k, v rows (and biases), o_proj columns
        Assert.Equal(model.ParameterCount - 3 * perHead, pruned.ParameterCount);
        Assert.Equal(pruned.Config.ParameterCount(), pruned.ParameterCount);
        using var original = model.call(ids);
        Assert.True(ModelTestData.MaxDifference(original, actual) > 1e-4); // the heads did something
    }

    [Theory]
    [InlineData(MlpKind.Gelu, true)]
    [InlineData(MlpKind.SwiGlu, false)]
    public void Removing_neurons_equals_the_original_with_those_neurons_zeroed(MlpKind mlp, bool bias)
    {
        var config = GptConfig.Tiny(Vocab) with { Mlp = mlp, Bias = bias };
        using var model = new GptModel(config);
        int[] layer0 = [0, 5, 17, 40, 41, 42, 80, config.HiddenWidth - 1];
        int[] layer1 = [3, 64];
        using var pruned = StructuredPruning.Apply(model, Plan([[], []], [layer0, layer1]));

        using var reference = CopyOf(model);
        using (no_grad())
        {
            foreach (var n in layer0) WeightAt(reference, "blocks.0.mlp.down_proj")[.., n].zero_();
            foreach (var n in layer1) WeightAt(reference, "blocks.1.mlp.down_proj")[.., n].zero_();
        }
        using var ids = ModelTestData.Ids(Vocab, 2, 16);
        using var expected = reference.call(ids);
        using var actual = pruned.call(ids);
        Assert.True(ModelTestData.MaxDifference(expected, actual) < 1e-5, $"max difference {ModelTestData.MaxDifference(expected, actual)}");
        Assert.Equal([config.HiddenWidth - 8, config.HiddenWidth - 2], pruned.Config.MlpWidthPerLayer!);
        Assert.Equal(pruned.Config.ParameterCount(), pruned.ParameterCount);
        Assert.Equal(0.0, StructuredPruning.RemovedShare(model, model));
        Assert.True(StructuredPruning.RemovedShare(model, pruned) > 0);
    }

    [Fact]
    public void A_pruned_model_saves_loads_and_decodes_with_the_kv_cache()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var pruned = StructuredPruning.Apply(model, Plan([[0], [1, 2]], [[1, 2, 3], []]));
        using var ids = ModelTestData.Ids(Vocab, 1, 12);
        using var full = pruned.call(ids);

        using var folder = new TempFolder();
        GptCheckpoint.Save(folder.File("pruned"), pruned);
        using var reloaded = GptCheckpoint.Load(folder.File("pruned")).Model;
        Assert.Equal(pruned.Config, reloaded.Config);
        Assert.Equal(0, ModelTestData.MaxDifference(full, reloaded.call(ids)));

        using var cache = reloaded.CreateCache();
        using var prefill = reloaded.Run(ids[.., ..8], cache).Logits;
        var steps = Enumerable.Range(8, 4).Select(t => reloaded.Run(ids[.., t..(t + 1)], cache).Logits).ToList();
        using var cached = cat([prefill, .. steps], 1);
        Assert.True(ModelTestData.MaxDifference(full, cached) < 1e-5);
    }

    [Fact]
    public void Removing_every_head_of_a_layer_is_refused_with_the_layer_named()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var e = Assert.Throws<ArgumentException>(() => StructuredPruning.Apply(model, Plan([[0], [0, 1, 2, 3]], [[], []])));
        Assert.Contains("all 4 heads of layer 1", e.Message);
        Assert.Contains("remove at most 3", e.Message);

        var neurons = Enumerable.Range(0, 128).ToArray();
        e = Assert.Throws<ArgumentException>(() => StructuredPruning.Apply(model, Plan([[], []], [neurons, []])));
        Assert.Contains("all 128 neurons of layer 0", e.Message);
    }

    [Fact]
    public void Bad_plans_are_explained()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        Assert.Contains("removes 4", Assert.Throws<ArgumentException>(() => StructuredPruning.Apply(model, Plan([[4], []], [[], []]))).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => StructuredPruning.Apply(model, Plan([[1, 1], []], [[], []]))).Message);
        Assert.Contains("one (possibly empty) list per layer", Assert.Throws<ArgumentException>(() => StructuredPruning.Apply(model, Plan([[1]], [[]]))).Message);
    }

    [Fact]
    public void Fractions_that_would_empty_a_layer_or_lie_outside_zero_to_one_are_refused()
    {
        var scores = new UnitImportance([[1, 2, 3, 4], [4, 3, 2, 1]], [[1, 2], [2, 1]]);
        Assert.Contains("none left", Assert.Throws<ArgumentException>(() => StructuredPlan.Lowest(scores, headFraction: 0.9)).Message);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => StructuredPlan.Lowest(scores, headFraction: 1)).Message);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => StructuredPlan.Lowest(scores, neuronFraction: -0.5)).Message);

        var plan = StructuredPlan.Lowest(scores, headFraction: 0.5);
        Assert.Equal([[0, 1], [2, 3]], plan.HeadsToRemove);
        Assert.Equal(0, plan.NeuronCount);
    }

    [Fact]
    public void The_write_score_is_zero_for_a_silenced_head_and_scales_with_its_output_weights()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        var text = Enumerable.Range(0, 200).Select(i => i * 11 % Vocab).ToList();
        using (no_grad())
        {
            WeightAt(model, "blocks.0.attn.o_proj")[.., 16..24].zero_();  // head 2 of layer 0 writes nothing
        }
        var plain = UnitImportance.Measure(model, text, maxWindows: 4);
        using (no_grad())
            WeightAt(model, "blocks.0.attn.o_proj")[.., 0..8].mul_(2);    // head 0 writes twice as much
        var louderHead = UnitImportance.Measure(model, text, maxWindows: 4);
        using (no_grad())
        {
            WeightAt(model, "blocks.0.attn.o_proj")[.., 0..8].div_(2);
            WeightAt(model, "blocks.1.mlp.down_proj")[.., 7].mul_(3);     // neuron 7 of layer 1 writes three times as much
        }
        var louderNeuron = UnitImportance.Measure(model, text, maxWindows: 4);

        Assert.Equal(0, plain.Heads[0][2]);
        Assert.Equal(2, StructuredPlan.Lowest(plain, headFraction: 0.25).HeadsToRemove[0].Single());
        Assert.Equal(2, louderHead.Heads[0][0] / plain.Heads[0][0], 5);
        Assert.Equal(1, louderHead.Heads[0][1] / plain.Heads[0][1], 5); // layer 0's other heads read the same input
        Assert.Equal(3, louderNeuron.Neurons[1][7] / plain.Neurons[1][7], 5);
        Assert.Equal(1, louderNeuron.Neurons[1][8] / plain.Neurons[1][8], 5);
        Assert.All(plain.Neurons.SelectMany(n => n), s => Assert.True(s > 0));
        Assert.Equal(128, plain.Neurons[1].Length);
    }

    [Fact]
    public void Head_loss_increase_restores_the_weights_and_is_zero_for_a_silent_head()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using (no_grad())
            WeightAt(model, "blocks.1.attn.o_proj")[.., 8..16].zero_();
        var text = Enumerable.Range(0, 200).Select(i => i * 11 % Vocab).ToList();
        using var ids = ModelTestData.Ids(Vocab, 1, 16);
        using var before = model.call(ids);

        var increase = UnitImportance.HeadLossIncrease(model, text, maxWindows: 4);

        Assert.Equal(0, increase[1][1]);
        Assert.Contains(increase.SelectMany(h => h), d => d != 0);
        Assert.Equal(0, ModelTestData.MaxDifference(before, model.call(ids)));
    }

    [Fact]
    public void Forward_speed_times_every_model_in_order_and_restores_training_mode()
    {
        using var dense = new GptModel(GptConfig.Tiny(Vocab));
        using var slim = StructuredPruning.Apply(dense, Plan([[0, 1], [0, 1]], [[], []]));
        dense.train();
        slim.eval();

        var speeds = ForwardSpeed.Compare([("dense", dense), ("slim", slim)], batchSize: 2, length: 16, rounds: 3, warmup: 1);

        Assert.Equal(["dense", "slim"], speeds.Select(s => s.Name));
        Assert.All(speeds, s => Assert.Equal(2 * 16 / (s.MedianMilliseconds / 1000), s.TokensPerSecond, 6));
        Assert.All(speeds, s => Assert.Equal(3, s.Passes));
        Assert.True(dense.training);
        Assert.False(slim.training);
        Assert.Contains("at most 16 tokens", Assert.Throws<ArgumentException>(() => ForwardSpeed.Compare([("dense", dense)], length: 17)).Message);
    }

    [Fact]
    public void The_median_is_the_middle_value()
    {
        Assert.Equal(2, ForwardSpeed.Median([3, 1, 2]));
        Assert.Equal(2.5, ForwardSpeed.Median([4, 1, 3, 2]));
        Assert.Throws<ArgumentException>(() => ForwardSpeed.Median([]));
    }
}
