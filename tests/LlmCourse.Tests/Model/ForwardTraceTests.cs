using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class ForwardTraceTests
{
    [Fact]
    public void Residual_stream_adds_up_and_the_last_entry_decodes_to_the_logits()
    {
        var config = GptConfig.Tiny(40) with { Norm = NormKind.RmsNorm };
        using var model = new GptModel(config);
        using var ids = ModelTestData.Ids(40, 2, 10);
        using var trace = new ForwardTrace { ResidualStream = true };
        using var output = model.Run(ids, trace: trace);
        Assert.Equal(config.Layers + 1, trace.Residuals.Count);
        for (var l = 0; l < config.Layers; l++)
        {
            // Each block only adds: stream after = stream before + attention's part + the MLP's part.
            using var rebuilt = trace.Residuals[l] + trace.AttentionOutputs[l] + trace.MlpOutputs[l];
            Assert.True(ModelTestData.MaxDifference(rebuilt, trace.Residuals[l + 1]) < 1e-5);
        }
        // Logit lens at the last layer = the model's logits; at earlier layers, something else.
        using var lens = model.Unembed(trace.Residuals[^1]);
        using var early = model.Unembed(trace.Residuals[1]);
        Assert.True(ModelTestData.MaxDifference(early, output.Logits) > 1e-3);
        Assert.True(ModelTestData.MaxDifference(lens, output.Logits) < 1e-5);
    }

    [Fact]
    public void Attention_weights_are_recorded_per_layer_and_head_even_with_the_fused_kernel()
    {
        using var model = new GptModel(GptConfig.Tiny(40) with { Attention = AttentionKernel.Sdpa });
        using var ids = ModelTestData.Ids(40, 1, 7);
        using var trace = new ForwardTrace { Attention = true };
        using var withTrace = model.Run(ids, trace: trace);
        using var without = model.call(ids);
        Assert.Equal(2, trace.AttentionWeights.Count);
        Assert.Equal(new long[] { 1, 4, 7, 7 }, trace.AttentionWeights[1].shape);
        Assert.Equal(0, trace.AttentionWeights[0].triu(1).abs().max().ToDouble());
        Assert.True(ModelTestData.MaxDifference(withTrace.Logits, without) < 1e-5);
        Assert.Empty(trace.Residuals);
        Assert.False(trace.AttentionWeights[0].requires_grad);
    }
}
