using LlmCourse.Alignment;
using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Alignment;

public class PolicySamplerTests
{
    private static readonly int[][] Prompts = [[9, 10], [11, 12, 13], [14, 15], [16], [17, 18, 19], [9, 10]];

    /// <summary>Greedy decoding of one prompt the slow, obvious way: the whole sequence through the model at every step, no cache.</summary>
    private static int[] GreedyByHand(GptModel model, int[] prompt, int maxNewTokens, int stopId)
    {
        var sequence = prompt.ToList();
        var answer = new List<int>();
        using var noGrad = no_grad();
        model.eval();
        for (var step = 0; step < maxNewTokens; step++)
        {
            using var scope = NewDisposeScope();
            var logits = model.call(tensor(sequence.Select(i => (long)i).ToArray()).unsqueeze(0));
            var next = (int)logits[0, -1].argmax().item<long>();
            answer.Add(next);
            sequence.Add(next);
            if (next == stopId)
                break;
        }
        return [.. answer];
    }

    [Fact]
    public void Batched_greedy_answers_equal_greedy_decoding_of_each_prompt_alone()
    {
        using var model = AlignmentToys.Model(seed: 6);
        for (var stop = 0; stop < 4; stop++) // a few stop ids, so some answers stop early and others run to the budget
        {
            var batched = PolicySampler.GreedyMany(model, Prompts, 7, stop, maxRows: 2);
            for (var p = 0; p < Prompts.Length; p++)
            {
                var alone = GreedyByHand(model, Prompts[p], 7, stop);
                Assert.Equal(alone, batched[p].Tokens);
                Assert.Equal(alone[^1] == stop, batched[p].Finished);
            }
        }
    }

    [Fact]
    public void Sample_many_keeps_the_prompt_order_and_is_reproducible()
    {
        using var model = AlignmentToys.Model(seed: 6);
        using var g1 = new torch.Generator(5);
        using var g2 = new torch.Generator(5);
        var a = PolicySampler.SampleMany(model, Prompts, 3, 6, AlignmentToys.Stop, 1.2, g1, maxRows: 6);
        var b = PolicySampler.SampleMany(model, Prompts, 3, 6, AlignmentToys.Stop, 1.2, g2, maxRows: 6);
        Assert.Equal(Prompts.Length, a.Count);
        Assert.All(a, r => Assert.Equal(3, r.Count));
        static string Show(IReadOnlyList<IReadOnlyList<SampledResponse>> s) => string.Join("|", s.Select(r => string.Join(";", r.Select(x => string.Join(",", x.Tokens)))));
        Assert.Equal(Show(a), Show(b));
        Assert.All(a.SelectMany(r => r), r =>
        {
            Assert.InRange(r.Tokens.Length, 1, 6);
            Assert.Equal(r.Finished, r.Tokens[^1] == AlignmentToys.Stop);
            Assert.DoesNotContain(AlignmentToys.Stop, r.Tokens[..^1]);
        });
    }

    [Fact]
    public void At_a_tiny_temperature_sampling_many_gives_the_greedy_answer()
    {
        using var model = AlignmentToys.Model(seed: 6);
        using var generator = new torch.Generator(1);
        var greedy = PolicySampler.GreedyMany(model, Prompts, 5, AlignmentToys.Stop);
        var sampled = PolicySampler.SampleMany(model, Prompts, 2, 5, AlignmentToys.Stop, 1e-4, generator);
        for (var p = 0; p < Prompts.Length; p++)
            Assert.All(sampled[p], s => Assert.Equal(greedy[p].Tokens, s.Tokens));
    }

    [Fact]
    public void Bad_input_is_a_clear_error()
    {
        using var model = AlignmentToys.Model();
        using var g = new torch.Generator(1);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => PolicySampler.GreedyMany(model, [[1], []], 4, 0)).Message);
        Assert.Contains("exceeds the context", Assert.Throws<ArgumentException>(() => PolicySampler.GreedyMany(model, [new int[12]], 6, 0)).Message);
        Assert.Contains("below count", Assert.Throws<ArgumentException>(() => PolicySampler.SampleMany(model, Prompts, 4, 4, 0, 1, g, maxRows: 3)).Message);
        Assert.Contains("above 0", Assert.Throws<ArgumentException>(() => PolicySampler.SampleMany(model, Prompts, 4, 4, 0, 0, g)).Message);
    }
}
