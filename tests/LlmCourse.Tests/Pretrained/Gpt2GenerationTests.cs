using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Pretrained;
using LlmCourse.Tests.Model;
using LlmCourse.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Pretrained;

/// <summary>GPT-2's tokenizer feeding a loaded GPT-2-layout model (50,257 ids), with and without the KV cache.</summary>
public class Gpt2GenerationTests
{
    private static readonly Gpt2Shape Shape = new(Vocab: 50_257, Width: 32, Layers: 2, Context: 48, Heads: 2);

    [Fact]
    public void The_GPT2_tokenizer_and_a_loaded_model_agree_with_the_reference_and_greedy_decoding_is_the_same_with_and_without_the_cache()
    {
        using var folder = new TempFolder();
        var raw = Gpt2TestFiles.RandomTensors(Shape, seed: 8);
        try
        {
            using var model = Gpt2Weights.Load(Gpt2TestFiles.Write(folder.Path, raw, configJsonFor: Shape));
            var tokenizer = BytePairTokenizer.Gpt2();
            Assert.Equal(tokenizer.VocabularySize, model.Config.VocabSize);
            const string text = "It is a truth universally acknowledged, that a single man";
            var encoded = tokenizer.Encode(text);
            Assert.Equal(ReferenceTokenizer.Gpt2.Encode(text), encoded); // GPT-2's own ids, so a real GPT-2 would read them right
            var prompt = encoded.Select(i => (long)i).ToArray();

            // The prompt's logits: the loaded model against GPT-2's forward pass written out from the raw tensors.
            using (var ids = torch.tensor(prompt).unsqueeze(0))
            using (var logits = model.call(ids))
            using (var reference = Gpt2TestFiles.ReferenceLogits(raw, prompt, Shape.Heads))
            using (var ours = logits[0].to(ScalarType.Float64))
                Assert.InRange(ModelTestData.MaxDifference(ours, reference), 0, 2e-5);

            // Greedy continuation through the course's generator: prefill + one token per step with the KV cache,
            // or the whole text re-read at every step. Same tokens, same logits (to float rounding).
            var options = new GenerationOptions { MaxNewTokens = 20, Sampling = SamplingSettings.Greedy, RecordLogits = true, OnWarning = _ => { } };
            var plain = TextGenerator.Generate(model, encoded, options with { UseKvCache = false });
            var cached = TextGenerator.Generate(model, encoded, options);
            Assert.Equal(20, cached.Generated.Count);
            Assert.Equal(plain.Generated, cached.Generated);
            Assert.True(plain.Generated.Distinct().Count() > 1, "a continuation of one repeated token would compare too little");
            for (var step = 0; step < plain.StepLogits.Count; step++)
            {
                var largest = plain.StepLogits[step].Zip(cached.StepLogits[step], (a, b) => Math.Abs(a - b)).Max();
                Assert.InRange(largest, 0, 1e-4);
            }
            // The first step's logits are the prompt's last position, which the reference above already checked.
            Assert.InRange(plain.StepLogits[0].Zip(PromptLastLogits(model, prompt), (a, b) => Math.Abs(a - b)).Max(), 0, 1e-5);
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    private static float[] PromptLastLogits(GptModel model, long[] prompt)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return model.call(torch.tensor(prompt).unsqueeze(0))[0, -1].data<float>().ToArray();
    }
}
