using LlmCourse.Embeddings;

namespace LlmCourse.Tests.Embeddings;

public class EmbeddingSpaceTests
{
    [Fact]
    public void Cosine_measures_the_angle_not_the_length()
    {
        Assert.Equal(1, EmbeddingSpace.Cosine([1, 2, 3], [2, 4, 6]), 12);
        Assert.Equal(-1, EmbeddingSpace.Cosine([1, 2, 3], [-0.5f, -1, -1.5f]), 12);
        Assert.Equal(0, EmbeddingSpace.Cosine([1, 0], [0, 5]), 12);
        Assert.Equal(Math.Sqrt(0.5), EmbeddingSpace.Cosine([1, 0], [3, 3]), 6);
        Assert.Equal(0, EmbeddingSpace.Cosine([0, 0], [1, 1]));
        Assert.Throws<ArgumentException>(() => EmbeddingSpace.Cosine([1, 2], [1, 2, 3]));
    }

    /// <summary>Words on the unit circle at known angles (degrees), with lengths that must not matter.</summary>
    private static EmbeddingSpace Circle()
    {
        var angles = new Dictionary<string, (double Degrees, float Length)>
        {
            ["east"] = (0, 1), ["north"] = (90, 3), ["west"] = (180, 0.5f), ["south"] = (270, 2),
            ["northeast"] = (45, 7), ["east-by-north"] = (10, 0.1f),
        };
        var words = angles.Keys.ToList();
        var vectors = words.Select(w =>
        {
            var (deg, len) = angles[w];
            var rad = deg * Math.PI / 180;
            return new[] { (float)(len * Math.Cos(rad)), (float)(len * Math.Sin(rad)) };
        }).ToList();
        return new EmbeddingSpace(words, vectors);
    }

    [Fact]
    public void Nearest_ranks_by_angle_and_leaves_out_the_word_itself()
    {
        var nearest = Circle().Nearest("east", 3);
        Assert.Equal(["east-by-north", "northeast", "north"], nearest.Select(n => n.Word));
        Assert.Equal(Math.Cos(10 * Math.PI / 180), nearest[0].Cosine, 5);
        Assert.Equal(0, nearest[2].Cosine, 5); // north and south tie at 90°: the alphabetical one comes first
    }

    [Fact]
    public void Analogy_finds_the_fourth_corner_and_skips_the_inputs()
    {
        // Axes: royal, male, female, and "other" (young, furniture, ...).
        var space = new EmbeddingSpace(
            ["king", "queen", "man", "woman", "boy", "table"],
            [[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0.5f], [0, 0, 0, 1]]);
        var answer = space.Analogy("king", "man", "woman", 3);
        Assert.Equal("queen", answer[0].Word);
        Assert.True(answer[0].Cosine > answer[1].Cosine + 0.3, $"queen {answer[0].Cosine}, runner-up {answer[1].Cosine}");
        Assert.DoesNotContain(answer, n => n.Word is "king" or "man" or "woman");
        Assert.Equal("king", space.Analogy("queen", "woman", "man", 1)[0].Word);
    }

    [Fact]
    public void Unknown_words_and_bad_input_are_explained()
    {
        var space = new EmbeddingSpace(["she", "he"], [[1, 0], [0, 1]]);
        var error = Assert.Throws<ArgumentException>(() => space.Nearest("She"));
        Assert.Contains("'She' is not in this embedding space", error.Message);
        Assert.Contains("Did you mean 'she'?", error.Message);
        Assert.Throws<ArgumentException>(() => new EmbeddingSpace(["a", "a"], [[1, 0], [0, 1]]));
        Assert.Throws<ArgumentException>(() => new EmbeddingSpace(["a", "b"], [[1, 0], [0, 1, 2]]));
        Assert.Throws<ArgumentException>(() => new EmbeddingSpace(["a"], [[1, 0], [0, 1]]));
        Assert.Throws<ArgumentException>(() => space.Nearest([1f, 2f, 3f]));
    }

    [Fact]
    public void Vectors_are_copies()
    {
        float[] original = [1, 2];
        var space = new EmbeddingSpace(["x", "y"], [original, [2, 1]]);
        original[0] = 100;
        space.Vector("x")[1] = 100;
        Assert.Equal([1f, 2f], space.Vector("x"));
    }
}
