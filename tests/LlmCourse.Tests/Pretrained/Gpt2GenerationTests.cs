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

            var (plainIds, plainLogits) = Greedy(model, prompt, 20, cached: false);
            var (cachedIds, cachedLogits) = Greedy(model, prompt, 20, cached: true);
            Assert.Equal(plainIds, cachedIds);
            Assert.True(plainIds.Distinct().Count() > 1, "a continuation of one repeated token would compare too little");
            for (var step = 0; step < plainLogits.Count; step++)
            {
                using var difference = (plainLogits[step] - cachedLogits[step]).abs().max();
                Assert.InRange(difference.ToDouble(), 0, 1e-4);
            }
            Assert.NotEmpty(tokenizer.Decode(plainIds.Select(i => (int)i)));
            foreach (var t in plainLogits.Concat(cachedLogits))
                t.Dispose();
        }
        finally
        {
            Gpt2TestFiles.DisposeAll(raw);
        }
    }

    /// <summary>Greedy decoding through <see cref="GptModel.Run"/>: every step re-reads the whole text, or prefill + one token per step with the cache.</summary>
    private static (List<long> Ids, List<Tensor> Logits) Greedy(GptModel model, long[] prompt, int newTokens, bool cached)
    {
        using var noGrad = torch.no_grad();
        using var cache = cached ? model.CreateCache() : null;
        var sequence = prompt.ToList();
        var ids = new List<long>();
        var steps = new List<Tensor>();
        for (var step = 0; step < newTokens; step++)
        {
            using var scope = torch.NewDisposeScope();
            var input = cached && step > 0 ? new[] { sequence[^1] } : sequence.ToArray();
            var logits = model.Run(torch.tensor(input).unsqueeze(0), cache, lastPositionOnly: true).Logits[0, 0];
            steps.Add(logits.MoveToOuterDisposeScope());
            var next = logits.argmax().ToInt64();
            sequence.Add(next);
            ids.Add(next);
        }
        return (ids, steps);
    }
}
