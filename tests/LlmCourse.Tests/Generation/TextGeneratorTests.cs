using LlmCourse.Generation;
using LlmCourse.Model;
using TorchSharp;

namespace LlmCourse.Tests.Generation;

public class TextGeneratorTests
{
    /// <summary>Context 128 so 100 steps fit; a larger init spreads the logits so greedy choices are not near-ties.</summary>
    private static GptModel Model() => new(GptConfig.Tiny(vocabSize: 40) with { ContextLength = 128, InitStd = 0.2 }, seed: 3);

    private static readonly int[] Prompt = [1, 5, 9, 2, 7, 3, 8, 4];

    [Fact]
    public void KvCacheAndNoCacheGiveTheSameGreedyTokensAndLogitsFor100Steps()
    {
        using var model = Model();
        var options = new GenerationOptions { MaxNewTokens = 100, Sampling = SamplingSettings.Greedy, RecordLogits = true };
        var cached = TextGenerator.Generate(model, Prompt, options);
        var plain = TextGenerator.Generate(model, Prompt, options with { UseKvCache = false });

        Assert.Equal(100, cached.Generated.Count);
        Assert.Equal(plain.Generated, cached.Generated);
        var worst = cached.StepLogits.Zip(plain.StepLogits).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(worst < 1e-4, $"largest logit difference {worst}");
        Assert.Equal(99, cached.DecodeSteps);
        Assert.Empty(cached.Warnings);
    }

    public static TheoryData<string> Stretched => new() { "linear", "yarn", "window" };

    [Theory]
    [MemberData(nameof(Stretched))]
    public void KvCacheAndNoCacheAgreeUnderRopeScalingAndASlidingWindow(string variant)
    {
        // The decode steps turn keys and queries by per-position rotation matrices, prefill by the elementwise
        // formula; scaled angles (YaRN also scales lengths) and window eviction must not make the two paths drift.
        using var model = Model();
        switch (variant)
        {
            case "linear": model.RopeScaling = RopeScaling.Linear(2); break;
            case "yarn": model.RopeScaling = RopeScaling.Yarn(2, 64); break;
            default: model.SlidingWindow = 24; break;
        }
        var options = new GenerationOptions { MaxNewTokens = 100, Sampling = SamplingSettings.Greedy, RecordLogits = true };
        var cached = TextGenerator.Generate(model, Prompt, options);
        var plain = TextGenerator.Generate(model, Prompt, options with { UseKvCache = false });

        Assert.Equal(plain.Generated, cached.Generated);
        var worst = cached.StepLogits.Zip(plain.StepLogits).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(worst < 1e-4, $"largest logit difference {worst}");
    }

    [Fact]
    public void StopTokensEndGenerationAndAreNotReturned()
    {
        using var model = Model();
        var free = TextGenerator.Generate(model, Prompt, new GenerationOptions { MaxNewTokens = 20, Sampling = SamplingSettings.Greedy });
        var stop = free.Generated[5];
        var firstStop = free.Generated.ToList().IndexOf(stop);

        var stopped = TextGenerator.Generate(model, Prompt, new GenerationOptions { MaxNewTokens = 20, Sampling = SamplingSettings.Greedy, StopTokens = [stop] });
        Assert.Equal(stop, stopped.StoppedBy);
        Assert.Equal(free.Generated.Take(firstStop), stopped.Generated);
    }

    [Fact]
    public void StreamingSeesEveryTokenInOrderAndSameSeedSameText()
    {
        using var model = Model();
        var streamed = new List<int>();
        var options = new GenerationOptions { MaxNewTokens = 30, Sampling = new SamplingSettings(Temperature: 1.0, TopK: 10, Seed: 4) };
        var result = TextGenerator.Generate(model, Prompt, options, streamed.Add);

        Assert.Equal(result.Generated, streamed);
        Assert.Equal(result.Generated, TextGenerator.Generate(model, Prompt, options).Generated);
        Assert.NotEqual(result.Generated, TextGenerator.Generate(model, Prompt, options with { Sampling = options.Sampling with { Seed = 5 } }).Generated);
    }

    [Fact]
    public void APromptLongerThanTheContextIsCroppedFromTheLeftWithAWarning()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 40) with { Positions = PositionKind.Learned }, seed: 3); // context 16, learned positions
        var longPrompt = Enumerable.Range(0, 50).Select(i => i % 40).ToArray();
        var warnings = new List<string>();
        foreach (var useCache in new[] { true, false })
        {
            var result = TextGenerator.Generate(model, longPrompt,
                new GenerationOptions { MaxNewTokens = 40, Sampling = SamplingSettings.Greedy, UseKvCache = useCache, OnWarning = warnings.Add });
            Assert.Equal(35, result.CroppedPromptTokens);
            Assert.Equal(longPrompt.Skip(35), result.Prompt);
            Assert.Equal(40, result.Generated.Count); // and generation runs past the context without a crash
        }
        Assert.Contains(warnings, w => w.Contains("first 35 tokens were dropped"));
        Assert.Contains(warnings, w => w.Contains("sliding window"));
    }

    [Fact]
    public void AnEmptyPromptSaysWhatToPass()
    {
        using var model = Model();
        var e = Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model, [], new GenerationOptions()));
        Assert.Contains("<|endoftext|>", e.Message);
    }
}
