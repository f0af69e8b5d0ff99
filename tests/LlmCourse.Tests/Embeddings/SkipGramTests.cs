using System.Text;
using LlmCourse.Embeddings;

namespace LlmCourse.Tests.Embeddings;

public class SkipGramTests
{
    /// <summary>Two topics that never share a sentence: animals and kitchen things, plus glue words used by both.</summary>
    private static string TwoTopics(int seed)
    {
        string[] animals = ["cat", "dog", "horse", "cow", "sheep", "goat"];
        string[] kitchen = ["pan", "pot", "knife", "spoon", "bowl", "plate"];
        string[] glue = ["the", "a", "and", "with"];
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (var sentence = 0; sentence < 1500; sentence++)
        {
            var topic = sentence % 2 == 0 ? animals : kitchen;
            for (var i = 0; i < 8; i++)
                sb.Append(i % 2 == 0 ? topic[random.Next(topic.Length)] : glue[random.Next(glue.Length)]).Append(' ');
            // Filler longer than the window, so the last words of one sentence never pair with the next one's.
            sb.Append(". ").Append(string.Join(' ', Enumerable.Repeat("filler", 3))).Append(' ');
        }
        return sb.ToString();
    }

    private static readonly SkipGramOptions Tiny = new(Dimension: 16, Window: 2, Steps: 150, MaxVocabulary: 100, Subsample: 0, LearningRate: 0.05);

    [Fact]
    public void Words_from_the_same_topic_become_neighbours()
    {
        var space = SkipGram.Train(TwoTopics(18), Tiny).Space;
        string[] animals = ["cat", "dog", "horse", "cow", "sheep", "goat"];
        foreach (var word in animals)
        {
            var nearest = space.Nearest(word, 20).Where(n => n.Word is not ("the" or "a" or "and" or "with" or "filler")).Take(3);
            Assert.All(nearest, n => Assert.Contains(n.Word, animals));
        }
        Assert.True(space.Similarity("cat", "dog") > space.Similarity("cat", "spoon") + 0.3);
    }

    [Fact]
    public void Same_seed_same_vectors_and_the_loss_falls()
    {
        var text = TwoTopics(19);
        var first = SkipGram.Train(text, Tiny);
        var second = SkipGram.Train(text, Tiny);
        Assert.Equal(first.Space.Vector("cat"), second.Space.Vector("cat"));
        Assert.True(first.Losses[^1].Loss < first.Losses[0].Loss * 0.8, $"loss {first.Losses[0]} → {first.Losses[^1]}");
    }

    [Fact]
    public void Bad_options_and_too_little_text_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SkipGram.Train("a few words only", Tiny));
        Assert.Throws<ArgumentException>(() => SkipGram.Train(TwoTopics(20), Tiny with { Window = 0 }));
    }
}
