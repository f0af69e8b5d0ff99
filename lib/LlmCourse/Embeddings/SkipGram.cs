using LlmCourse.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Embeddings;

/// <summary>What skip-gram training produced: the embedding space and the loss along the way.</summary>
/// <param name="Space">One vector per kept word (its word vector plus its context vector).</param>
/// <param name="Losses">(step, loss) every <see cref="SkipGram.LossEvery"/> steps: the average skip-gram loss per (word, context) pair of the corpus.</param>
/// <param name="Corpus">The words the model saw.</param>
public sealed record SkipGramResult(EmbeddingSpace Space, IReadOnlyList<(int Step, double Loss)> Losses, WordCorpus Corpus);

/// <summary>
/// Skip-gram with negative sampling (word2vec's SGNS): every word gets a "word" vector w and a "context" vector c.
/// For a real pair (a word and a neighbour within the window) the model wants σ(w·c) near 1; for k random "noise"
/// words n, drawn ∝ count^0.75, it wants σ(w·n) near 0. Loss per pair = −log σ(w·c) − Σ log σ(−w·n). Words used in
/// similar company end up pointing in similar directions.
/// </summary>
/// <remarks>
/// word2vec samples pairs one by one, millions of tiny updates. Here the SAME loss is taken in expectation over the
/// whole corpus at once: count X[a, b], how often b falls within a's window (nearer pairs weigh more, as word2vec's
/// randomly shrunk window makes them), and N[a, b], how often sampling would draw b as noise for a. Then
/// loss = Σ X ⊙ −log σ(S) + N ⊙ −log σ(−S) over all pairs, with S = W·Cᵀ holding every w·c at once, and its gradient
/// with respect to S is simply G = (X + N) ⊙ σ(S) − X. Three matrix products per step (S, G·C, Gᵀ·W) and Adam do
/// the rest: no sampling noise, and the same seed gives the same vectors.
/// </remarks>
public static class SkipGram
{
    /// <summary>Trains word embeddings on <paramref name="text"/>. Seeded: the same options give the same vectors.</summary>
    /// <exception cref="ArgumentException">Options out of range, or too little text.</exception>
    public static SkipGramResult Train(string text, SkipGramOptions? options = null)
    {
        options ??= new SkipGramOptions();
        if (options.Window < 1 || options.Negatives < 1 || options.Dimension < 2 || options.Steps < 1 || options.MaxVocabulary < 2)
            throw new ArgumentException($"Window, Negatives and Steps must be at least 1, Dimension and MaxVocabulary at least 2 (got {options}).", nameof(options));
        TorchRuntime.EnsureLoaded();
        var corpus = WordCorpus.Build(text, options.MinCount, options.MaxVocabulary);
        var random = new Random(options.Seed);
        var (v, d) = (corpus.Words.Count, options.Dimension);
        var pairCounts = CountPairs(Subsample(corpus, options.Subsample, random), v, options.Window);

        var threads = torch.get_num_threads();
        torch.set_num_threads(Math.Min(threads, options.Threads));
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            torch.manual_seed(options.Seed);
            var x = torch.tensor(pairCounts, [v, v]);
            // Per-pair averages: divide by the number of real pairs, so the loss reads like word2vec's.
            using var perPair = (1.0 / x.sum().item<float>()).ToScalar();
            x.mul_(perPair);
            // Expected noise draws: a is a centre X[a].sum() times, and each time k words come ∝ count^0.75.
            var noise = torch.tensor(corpus.Counts.Select(c => (float)Math.Pow(c, 0.75)).ToArray());
            using var k = ((double)options.Negatives).ToScalar();
            var both = torch.outer(x.sum(1), noise.div_(noise.sum())).mul_(k).add_(x); // X + N

            using var initialScale = (0.5 / Math.Sqrt(d)).ToScalar();
            var w = torch.randn(v, d).mul_(initialScale);
            var c = torch.randn(v, d).mul_(initialScale);
            var adamW = new AdamState(w);
            var adamC = new AdamState(c);
            var losses = new List<(int Step, double Loss)>();
            for (var step = 1; step <= options.Steps; step++)
            {
                using var stepScope = torch.NewDisposeScope();
                var s = torch.mm(w, c.t());
                if (step == 1 || step % LossEvery == 0 || step == options.Steps)
                {
                    // −log σ(s) = softplus(s) − s and −log σ(−s) = softplus(s): loss = Σ (X + N) ⊙ softplus(S) − X ⊙ S.
                    losses.Add((step, (both * torch.nn.functional.softplus(s)).sum().item<float>() - (x * s).sum().item<float>()));
                }
                var g = s.sigmoid_().mul_(both).sub_(x); // in place: S becomes the gradient G = (X + N) ⊙ σ(S) − X
                adamW.Step(w, torch.mm(g, c), options.LearningRate, step);
                adamC.Step(c, torch.mm(g.t(), w), options.LearningRate, step);
            }

            // word + context vector: both saw every pair, and their sum is a little less noisy than either.
            var flat = (w + c).data<float>().ToArray();
            var vectors = Enumerable.Range(0, v).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
            return new SkipGramResult(new EmbeddingSpace(corpus.Words, vectors), losses, corpus);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>Steps between two loss evaluations (the loss is only for the plot; the gradient does not need it).</summary>
    public const int LossEvery = 5;

    /// <summary>
    /// Adam's running averages for one tensor, with the update written out (the gradient is computed by hand, so
    /// there is no autograd graph for torch.optim.Adam to read).
    /// </summary>
    private sealed class AdamState(Tensor parameter)
    {
        private const double Beta1 = 0.9, Beta2 = 0.999;
        private readonly Tensor mean = torch.zeros_like(parameter);
        private readonly Tensor square = torch.zeros_like(parameter);

        public void Step(Tensor parameter, Tensor gradient, double rate, int step)
        {
            // Explicit Scalars kept alive by `using`: TorchSharp's implicit Scalar temporaries can be finalized by the
            // GC while a native call still reads them (a run crashed with a "toFloat" error until this was done).
            using var beta1 = Beta1.ToScalar();
            using var beta2 = Beta2.ToScalar();
            using var keep1 = (1 - Beta1).ToScalar();
            using var keep2 = (1 - Beta2).ToScalar();
            using var epsilon = 1e-8.ToScalar();
            using var unbias2 = Math.Sqrt(1 - Math.Pow(Beta2, step)).ToScalar();
            using var stepSize = (-rate / (1 - Math.Pow(Beta1, step))).ToScalar();
            mean.mul_(beta1).add_(gradient, keep1);
            square.mul_(beta2).addcmul_(gradient, gradient, keep2);
            var denominator = square.sqrt().div_(unbias2).add_(epsilon);
            parameter.addcdiv_(mean, denominator, stepSize);
        }
    }

    /// <summary>Drops each occurrence of a frequent word with probability 1 − sqrt(t / f) (word2vec's subsampling).</summary>
    private static int[] Subsample(WordCorpus corpus, double threshold, Random random)
    {
        if (threshold <= 0)
            return corpus.Ids;
        var total = (double)corpus.Ids.Length;
        var keep = corpus.Counts.Select(c => Math.Min(1.0, Math.Sqrt(threshold / (c / total)))).ToArray();
        var kept = corpus.Ids.Where(id => random.NextDouble() < keep[id]).ToArray();
        return kept.Length >= 2 ? kept : corpus.Ids;
    }

    /// <summary>
    /// Window counts: X[a, b] grows by (window − distance + 1) / window each time b is within the window of a, which is
    /// how often word2vec's randomly shrunk window would have paired them.
    /// </summary>
    private static float[] CountPairs(int[] ids, int v, int window)
    {
        var counts = new float[v * v];
        for (var i = 0; i < ids.Length; i++)
        {
            for (var distance = 1; distance <= window && i + distance < ids.Length; distance++)
            {
                var weight = (window - distance + 1) / (float)window;
                counts[ids[i] * v + ids[i + distance]] += weight;
                counts[ids[i + distance] * v + ids[i]] += weight;
            }
        }
        return counts;
    }
}
