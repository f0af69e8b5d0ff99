using LlmCourse.Evaluation;
using LlmCourse.Model;
using LlmCourse.Tokenization;
using LlmCourse.Tests.Model;
using LlmCourse.Training;
using TorchSharp;

namespace LlmCourse.Tests.Evaluation;

public class PerplexityTests
{
    private const string Austen = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.";

    [Theory]
    [InlineData(8, 4)]
    [InlineData(16, 16)]
    [InlineData(200, 100)]
    public void A_uniform_model_has_perplexity_equal_to_the_vocabulary_size(int window, int stride)
    {
        var result = Perplexity.Measure(new ConstantLogits(256), window, new ByteTokenizer(), Austen, new PerplexityOptions { Stride = stride });
        Assert.Equal(256, result.Perplexity, 256 * 1e-4);
        Assert.Equal(8, result.BitsPerToken, 1e-4); // log2 256 bits for every byte-token
        Assert.Equal(Austen.Length - 1, result.ScoredTokens);
    }

    [Fact]
    public void Bits_per_byte_of_a_known_bigram_on_a_known_text_match_the_hand_computation()
    {
        // Byte tokens: 'a' = 97, 'b' = 98. P(b|a) = 1/2, P(b|b) = 1/4, P(a|b) = 1/2, the rest spread over other bytes.
        var p = new double[256, 256];
        for (var i = 0; i < 256; i++)
            for (var j = 0; j < 256; j++)
                p[i, j] = 1.0 / 256;
        SetRow(p, 'a', ('b', 0.5));
        SetRow(p, 'b', ('b', 0.25), ('a', 0.5));
        // "abba": the first 'a' is context; then −log2 P(b|a) − log2 P(b|b) − log2 P(a|b) = 1 + 2 + 1 = 4 bits over 3 bytes.
        var result = Perplexity.Measure(new BigramLogits(p), 16, new ByteTokenizer(), "abba");
        Assert.Equal(3, result.ScoredTokens);
        Assert.Equal(3, result.ScoredBytes);
        Assert.Equal(4.0 / 3, result.BitsPerByte, 1e-6);
        Assert.Equal(Math.Pow(2, 4.0 / 3), result.Perplexity, 1e-5);
    }

    [Fact]
    public void Bytes_and_characters_differ_for_non_ascii_text_and_a_begin_token_scores_the_first_token()
    {
        var tokenizer = CharTokenizer.FromText("aé");
        var vocabulary = tokenizer.VocabularySize;
        var model = new ConstantLogits(vocabulary);
        // "aéa": 'a' is context, then 'é' (2 bytes) and 'a' (1 byte): 2 tokens × log2 V bits over 3 bytes and 2 characters.
        var plain = Perplexity.Measure(model, 8, tokenizer, "aéa");
        Assert.Equal((plain.ScoredTokens, plain.ScoredBytes, plain.ScoredCharacters), (2L, 3L, 2L));
        Assert.Equal(2 * Math.Log2(vocabulary) / 3, plain.BitsPerByte, 1e-5);
        Assert.Equal(Math.Log2(vocabulary), plain.BitsPerCharacter, 1e-5);
        // With a begin token every token of the text is scored: 3 tokens over all 4 bytes.
        var withBegin = Perplexity.Measure(model, 8, tokenizer, "aéa", new PerplexityOptions { BeginToken = 0 });
        Assert.Equal((withBegin.ScoredTokens, withBegin.ScoredBytes, withBegin.ScoredCharacters), (3L, 4L, 3L));
        Assert.Equal(3 * Math.Log2(vocabulary) / 4, withBegin.BitsPerByte, 1e-5);
    }

    [Fact]
    public void The_sliding_window_equals_full_context_perplexity_when_the_text_fits()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 32), seed: 3);
        var ids = Enumerable.Range(0, 15).Select(i => (i * 11 + 5) % 32).ToArray(); // 15 tokens: fits the context of 16
        double fullContext;
        using (var input = torch.tensor(ids[..^1].Select(i => (long)i).ToArray()).unsqueeze(0))
        using (var targets = torch.tensor(ids[1..].Select(i => (long)i).ToArray()).unsqueeze(0))
        using (var loss = model.Loss(input, targets))
            fullContext = loss.ToDouble();

        foreach (var stride in new[] { 1, 5, 8, 16 })
        {
            var losses = Perplexity.TokenLosses(model, ids, window: 16, stride: stride);
            Assert.Equal(fullContext, losses.Average(l => (double)l), 5);
        }
    }

    [Theory]
    [InlineData(16, 5)]
    [InlineData(16, 16)]
    [InlineData(7, 1)]
    public void A_text_longer_than_the_window_is_scored_once_per_token(int window, int stride)
    {
        // A bigram with a different probability for every pair: skipping or repeating a token would change the sum.
        var random = new Random(5);
        var p = new double[6, 6];
        for (var i = 0; i < 6; i++)
        {
            var row = Enumerable.Range(0, 6).Select(_ => 0.1 + random.NextDouble()).ToArray();
            for (var j = 0; j < 6; j++)
                p[i, j] = row[j] / row.Sum();
        }
        var ids = Enumerable.Range(0, 50).Select(_ => random.Next(6)).ToArray();
        var model = new BigramLogits(p);

        var losses = Perplexity.TokenLosses(model, ids, window, stride, batchSize: 3);
        Assert.Equal(ids.Length - 1, losses.Length);
        for (var t = 1; t < ids.Length; t++)
            Assert.Equal(-Math.Log(p[ids[t - 1], ids[t]]), losses[t - 1], 5);

        var plan = Perplexity.PlanWindows(ids.Length, window, stride);
        var targets = plan.SelectMany(w => Enumerable.Range(w.FirstTarget, w.Start + w.Length - w.FirstTarget + 1)).ToList();
        Assert.Equal(Enumerable.Range(1, ids.Length - 1), targets); // each once, in order
        Assert.All(plan, w => Assert.InRange(w.Length, 1, window));
        // Every token past the first window sees at least window − stride + 1 tokens.
        Assert.All(plan.Skip(1), w => Assert.True(w.FirstTarget - w.Start >= window - stride + 1));
    }

    [Fact]
    public void A_learned_position_model_is_measured_on_a_long_text_within_its_context()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 32) with { Positions = PositionKind.Learned }, seed: 4);
        var ids = Enumerable.Range(0, 60).Select(i => i * 7 % 32).ToArray();
        var losses = Perplexity.TokenLosses(model, ids, window: model.Config.ContextLength, stride: 4, batchSize: 4);
        Assert.Equal(59, losses.Length);
        Assert.All(losses, l => Assert.True(float.IsFinite(l) && l > 0));
    }

    [Fact]
    public void Back_to_back_windows_agree_with_the_trainers_held_out_loss()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 32), seed: 9);
        var ids = Enumerable.Range(0, 16 * 6 + 1).Select(i => (i * 13 + i / 5) % 32).ToArray(); // exactly 6 windows of 16
        var losses = Perplexity.TokenLosses(model, ids, window: 16, stride: 16);
        Assert.Equal(HeldOutLoss.Mean(model, ids, batchSize: 4), losses.Average(l => (double)l), 5);
        // With overlap the first window is the same; later tokens get more context, so their losses differ.
        var sliding = Perplexity.TokenLosses(model, ids, window: 16, stride: 4);
        Assert.Equal(losses[..16], sliding[..16], (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.NotEqual(losses[16..], sliding[16..], (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Batching_does_not_change_the_numbers()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 32), seed: 6);
        var ids = Enumerable.Range(0, 70).Select(i => (i * i + 3) % 32).ToArray();
        var one = Perplexity.TokenLosses(model, ids, 16, 4, batchSize: 1);
        var many = Perplexity.TokenLosses(model, ids, 16, 4, batchSize: 16);
        Assert.Equal(one, many, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Loss_by_position_averages_back_to_back_windows()
    {
        using var model = new GptModel(GptConfig.Tiny(vocabSize: 32), seed: 8);
        using var idsTensor = ModelTestData.Ids(32, 1, 16 * 5 + 1);
        var ids = idsTensor[0].data<long>().Select(i => (int)i).ToArray();
        var curve = Perplexity.ByPosition(model, ids, length: 16, batchSize: 2);
        Assert.Equal(5, curve.Windows);
        Assert.Equal(16, curve.MeanNats.Count);

        // The same windows through the training loss: the mean over positions must agree.
        using var windows = idsTensor[0].narrow(0, 0, 80).reshape(5, 16);
        using var targets = idsTensor[0].narrow(0, 1, 80).reshape(5, 16);
        using var loss = model.Loss(windows, targets);
        Assert.Equal(loss.ToDouble(), curve.MeanNats.Average(), 5);
        Assert.Equal(curve.MeanNats.Average(), curve.MeanOver(0, 16), 12);

        var uniform = Perplexity.ByPosition(new ConstantLogits(32), ids, length: 10, maxWindows: 3);
        Assert.Equal(3, uniform.Windows);
        Assert.All(uniform.Perplexity, p => Assert.Equal(32, p, 1e-3));
    }

    [Fact]
    public void Bad_input_is_explained()
    {
        var tokenizer = new ByteTokenizer();
        var model = new ConstantLogits(256);
        Assert.Contains("BeginToken", Assert.Throws<ArgumentException>(() => Perplexity.Measure(model, 8, tokenizer, "a")).Message);
        Assert.Contains("skip tokens", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Perplexity.Measure(model, 8, tokenizer, Austen, new PerplexityOptions { Stride = 9 })).Message);
        Assert.Contains("fewer than one window", Assert.Throws<ArgumentException>(() => Perplexity.ByPosition(model, [1, 2, 3], length: 8)).Message);
    }

    private static void SetRow(double[,] p, char from, params (char To, double P)[] entries)
    {
        var rest = (1 - entries.Sum(e => e.P)) / (256 - entries.Length);
        for (var j = 0; j < 256; j++)
            p[from, j] = rest;
        foreach (var (to, probability) in entries)
            p[from, to] = probability;
    }
}
