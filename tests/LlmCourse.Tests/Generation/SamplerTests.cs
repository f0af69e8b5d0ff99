using LlmCourse.Generation;
using TorchSharp;

namespace LlmCourse.Tests.Generation;

public class SamplerTests
{
    private static float[] Values(torch.Tensor t) => t.to(torch.float32).data<float>().ToArray();

    [Fact]
    public void TopKKeepsExactlyKEvenWithTiesAndPrefersLowerIdsAtTheBoundary()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var vocab = random.Next(2, 60);
            var k = random.Next(1, vocab);
            // Few distinct values, so ties at the boundary are common.
            var logits = Enumerable.Range(0, vocab).Select(_ => (float)random.Next(0, 4)).ToArray();
            using var input = torch.tensor(logits);
            using var output = new TopK(k).Apply(input);
            var kept = Values(output).Select((v, i) => (v, i)).Where(p => float.IsFinite(p.v)).Select(p => p.i).ToList();

            Assert.Equal(k, kept.Count);
            var dropped = Enumerable.Range(0, vocab).Except(kept).ToList();
            foreach (var d in dropped)
            foreach (var c in kept)
                Assert.True(logits[c] > logits[d] || (logits[c] == logits[d] && c < d), $"kept {c} ({logits[c]}) but dropped {d} ({logits[d]})");
            foreach (var c in kept)
                Assert.Equal(logits[c], Values(output)[c]);
        }
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var vocab = random.Next(1, 300);
            var scale = random.NextDouble() * 8;
            var logits = Enumerable.Range(0, vocab).Select(_ => (float)(NextGaussian(random) * scale)).ToArray();
            var p = trial % 10 == 0 ? 1.0 : random.NextDouble() * 0.999 + 0.001;
            using var input = torch.tensor(logits);
            using var output = new TopP(p).Apply(input);
            var outValues = Values(output);

            var max = logits.Max();
            var weights = logits.Select(l => Math.Exp((double)l - max)).ToArray();
            var total = weights.Sum();
            var probabilities = weights.Select(w => w / total).ToArray();
            var kept = Enumerable.Range(0, vocab).Where(i => float.IsFinite(outValues[i])).ToList();
            var dropped = Enumerable.Range(0, vocab).Except(kept).ToList();
            var keptMass = kept.Sum(i => probabilities[i]);
            var smallestKept = kept.Min(i => probabilities[i]);

            Assert.NotEmpty(kept);
            Assert.True(keptMass >= p - 1e-9, $"trial {trial}: kept mass {keptMass} < p {p}");
            Assert.True(keptMass - smallestKept < p + 1e-9, $"trial {trial}: not minimal: {keptMass} - {smallestKept} >= {p}");
            if (dropped.Count > 0)
                Assert.True(smallestKept >= dropped.Max(i => probabilities[i]), $"trial {trial}: kept set is not the most likely tokens");
        }
    }

    [Fact]
    public void TemperatureTowardsZeroBecomesGreedy()
    {
        torch.manual_seed(3);
        using var logits = torch.randn(100) * 2;
        var argmax = (int)logits.argmax().item<long>();
        logits[argmax] = logits.max() + 0.05f; // a clear winner, so the limit is reached at a testable temperature
        var previous = 0.0;
        foreach (var t in new[] { 2.0, 1.0, 0.5, 0.1, 0.01, 1e-3 })
        {
            using var sampler = new TokenSampler(new SamplingSettings(Temperature: t));
            using var probabilities = sampler.Probabilities(logits);
            var top = probabilities[argmax].item<float>();
            Assert.True(top > previous || top == 1f, $"p(argmax) should grow as T falls: {top} at T={t} after {previous}");
            previous = top;
        }
        Assert.True(previous > 1 - 1e-6);
        using var greedy = new TokenSampler(SamplingSettings.Greedy);
        Assert.Equal(argmax, greedy.Next(logits));
        for (var seed = 0; seed < 20; seed++)
        {
            using var cold = new TokenSampler(new SamplingSettings(Temperature: 1e-3, Seed: seed));
            Assert.Equal(argmax, cold.Next(logits));
        }
    }

    [Fact]
    public void OneSeedOneSample()
    {
        using var logits = torch.zeros(1000); // uniform: every draw is pure chance
        var settings = new SamplingSettings(Temperature: 1.0, Seed: 42);
        int[] Draw(SamplingSettings s)
        {
            using var sampler = new TokenSampler(s);
            return Enumerable.Range(0, 50).Select(_ => sampler.Next(logits)).ToArray();
        }

        var first = Draw(settings);
        torch.manual_seed(999); // the global generator must not matter
        using (torch.rand(10)) { }
        Assert.Equal(first, Draw(settings));
        Assert.NotEqual(first, Draw(settings with { Seed = 43 }));
    }

    [Fact]
    public void SamplesFollowTheDistributionAndStayInsideTheKeptSet()
    {
        using var logits = torch.tensor(new[] { 0.5f, 0.3f, 0.2f, 1e-9f, 1e-9f }).log();
        using var sampler = new TokenSampler(new SamplingSettings(TopK: 3, Seed: 5));
        var counts = new int[5];
        const int draws = 20_000;
        for (var i = 0; i < draws; i++)
            counts[sampler.Next(logits)]++;

        Assert.Equal(0, counts[3] + counts[4]);
        Assert.InRange(counts[0] / (double)draws, 0.49, 0.51);
        Assert.InRange(counts[1] / (double)draws, 0.29, 0.31);
    }

    [Fact]
    public void PipelineAppliesStepsInOrder()
    {
        using var logits = torch.tensor(new[] { 2f, 1f, 0f, -1f });
        var pipeline = new SamplingSettings(Temperature: 0.5, TopK: 3, TopP: 0.9).ToPipeline();
        using var manual = new TopP(0.9).Apply(new TopK(3).Apply(new Temperature(0.5).Apply(logits)));
        using var piped = pipeline.Apply(logits);

        Assert.Equal(Values(manual), Values(piped));
        Assert.Equal("Temperature(0.5) → TopK(3) → TopP(0.9)", pipeline.ToString());
    }

    [Fact]
    public void BadSettingsSayWhatIsAllowed()
    {
        Assert.Contains("Greedy", Assert.Throws<ArgumentOutOfRangeException>(() => new Temperature(0)).Message);
        Assert.Contains("k >= 1", Assert.Throws<ArgumentOutOfRangeException>(() => new TopK(0)).Message);
        Assert.Contains("0 < p <= 1", Assert.Throws<ArgumentOutOfRangeException>(() => new TopP(1.5)).Message);
        using var sampler = new TokenSampler(SamplingSettings.Greedy);
        Assert.Contains("logits[0, -1]", Assert.Throws<ArgumentException>(() => sampler.Next(torch.zeros(2, 3))).Message);
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
