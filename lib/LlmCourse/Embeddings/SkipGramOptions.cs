namespace LlmCourse.Embeddings;

/// <summary>Settings for <see cref="SkipGram.Train"/>. The defaults take about 30 s of CPU time on the Austen corpus (a minute on a busy machine).</summary>
/// <param name="Dimension">Numbers per word vector.</param>
/// <param name="Window">A context word is up to this many words left or right of the centre word.</param>
/// <param name="Negatives">Noise words per real pair (word2vec's k): how hard random pairs are pushed apart.</param>
/// <param name="MinCount">Words seen fewer times are dropped (too rare to learn anything about).</param>
/// <param name="MaxVocabulary">Keep at most this many of the most frequent words (each step costs vocabulary² × dimension).</param>
/// <param name="Steps">Adam steps; each step uses every pair of the corpus.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Subsample">Frequent words are randomly thinned first: a word with frequency f is kept with probability sqrt(Subsample / f) (capped at 1), so "the" stops dominating. 0 turns it off.</param>
/// <param name="Threads">Most CPU threads to use (TorchSharp's setting is restored afterwards).</param>
/// <param name="Seed">Seed for the thinning and the initial vectors: same seed, same embeddings.</param>
public sealed record SkipGramOptions(
    int Dimension = 64,
    int Window = 5,
    int Negatives = 5,
    int MinCount = 5,
    int MaxVocabulary = 2000,
    int Steps = 150,
    double LearningRate = 0.05,
    double Subsample = 1e-4,
    int Threads = 2,
    int Seed = Course.DefaultSeed);
