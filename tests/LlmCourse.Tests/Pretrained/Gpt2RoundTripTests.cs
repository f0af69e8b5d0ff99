using System.Text.Json.Nodes;
using LlmCourse.IO;
using LlmCourse.Model;
using LlmCourse.Pretrained;
using LlmCourse.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Pretrained;

public class Gpt2RoundTripTests
{
    private static GptConfig SmallGpt2(GeluApproximation gelu) => new()
    {
        VocabSize = 80, ContextLength = 16, Layers = 2, Heads = 4, Width = 32, MlpWidth = 48,
        Positions = PositionKind.Learned, Norm = NormKind.LayerNorm, Mlp = MlpKind.Gelu, Bias = true, TiedHead = true,
        Gelu = gelu, NormEpsilon = 1e-6,
    };

    public static TheoryData<string> Variants => ["exact GELU, tied", "tanh GELU, untied head"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Saving_in_GPT2_layout_and_loading_back_gives_the_same_config_and_identical_logits(string variant)
    {
        var config = variant.StartsWith("exact", StringComparison.Ordinal)
            ? SmallGpt2(GeluApproximation.None)
            : SmallGpt2(GeluApproximation.Tanh) with { TiedHead = false };
        using var folder = new TempFolder();
        using var original = new GptModel(config, seed: 21);
        RandomizeNormsAndBiases(original); // at initialisation they are 1 and 0, which would hide a swapped weight/bias

        Gpt2Weights.Save(original, folder.Path);
        using var loaded = Gpt2Weights.Load(folder.Path);

        Assert.Equal(config, loaded.Config);
        using var ids = ModelTestData.Ids(config.VocabSize, batch: 2, time: 12);
        using var before = original.call(ids);
        using var after = loaded.call(ids);
        Assert.Equal(0, ModelTestData.MaxDifference(before, after));
    }

    [Fact]
    public void A_saved_file_is_GPT2s_own_layout_the_hand_written_reference_computes_the_models_logits_from_it()
    {
        var config = SmallGpt2(GeluApproximation.Tanh) with { MlpWidth = null, NormEpsilon = 1e-5 };
        using var folder = new TempFolder();
        using var model = new GptModel(config, seed: 4);
        RandomizeNormsAndBiases(model);
        Gpt2Weights.Save(model, Path.Combine(folder.Path, "mine.safetensors"));

        using var file = SafetensorsReader.Open(Path.Combine(folder.Path, "mine.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]); // Hugging Face's loader refuses files without it
        Assert.Equal([32L, 96L], file["h.1.attn.c_attn.weight"].Shape);
        Assert.Equal([32L, 128L], file["h.0.mlp.c_fc.weight"].Shape);
        Assert.DoesNotContain(file.Names, n => n.StartsWith("lm_head", StringComparison.Ordinal));
        var raw = file.ReadAll();
        try
        {
            long[] prompt = [5, 17, 2, 79, 40, 33, 0, 12];
            using var reference = Gpt2TestFiles.ReferenceLogits(raw, prompt, config.Heads);
            using var ids = torch.tensor(prompt).unsqueeze(0);
            using var logits = model.call(ids);
            using var ours = logits[0].to(ScalarType.Float64);
            Assert.InRange(ModelTestData.MaxDifference(ours, reference), 0, 2e-5);
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "config.json")))!;
        Assert.Equal("gpt2", (string?)json["model_type"]);
        Assert.Equal("gelu_new", (string?)json["activation_function"]);
        Assert.Equal((2, 32, 4, 16, 80), ((int)json["n_layer"]!, (int)json["n_embd"]!, (int)json["n_head"]!, (int)json["n_positions"]!, (int)json["vocab_size"]!));
    }

    [Fact]
    public void A_model_GPT2s_layout_cannot_hold_is_refused_with_each_difference_and_its_fix()
    {
        using var folder = new TempFolder();
        using var model = new GptModel(GptConfig.Tiny());
        var error = Assert.Throws<ArgumentException>(() => Gpt2Weights.Save(model, folder.Path));
        Assert.Contains("Positions = Rope", error.Message);
        Assert.Contains("Use Positions = Learned", error.Message);
        Assert.Contains("Bias = false", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    private static void RandomizeNormsAndBiases(GptModel model)
    {
        using var generator = new Generator(99);
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (parameter.dim() != 1)
                continue;
            using var noise = torch.randn(parameter.shape, generator: generator).mul_(0.1);
            parameter.add_(noise);
        }
    }
}
