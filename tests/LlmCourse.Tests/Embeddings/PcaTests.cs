using LlmCourse.Embeddings;

namespace LlmCourse.Tests.Embeddings;

public class PcaTests
{
    [Fact]
    public void Points_on_a_line_project_onto_the_first_axis_with_their_spacing()
    {
        // t · (1, 2, 2) / 3 + offset: a unit direction, so the first coordinate is t minus its mean.
        float[] ts = [-2, 0, 1, 4];
        var points = ts.Select(t => new[] { t / 3 + 5, 2 * t / 3 - 1, 2 * t / 3 + 2 }).ToList();
        var p = Pca.Project(points);
        var mean = ts.Average();
        for (var i = 0; i < ts.Length; i++)
        {
            Assert.Equal(ts[i] - mean, p.X[i], 4);
            Assert.Equal(0, p.Y[i], 4);
        }
        Assert.Equal(1, p.ExplainedVariance.First, 6);
    }

    [Fact]
    public void A_cross_in_five_dimensions_gives_its_two_arms_and_their_variance_shares()
    {
        // Arms of half-length 3 along u and 1 along v (orthonormal, embedded in 5-D), centred at c.
        float[] u = [0.6f, 0.8f, 0, 0, 0];
        float[] v = [0, 0, 0, 0.6f, -0.8f];
        float[] c = [1, 1, 1, 1, 1];
        (float A, float B)[] coords = [(3, 0), (-3, 0), (0, 1), (0, -1)];
        var points = coords.Select(k => c.Select((ci, j) => ci + k.A * u[j] + k.B * v[j]).ToArray()).ToList();
        var p = Pca.Project(points);
        for (var i = 0; i < coords.Length; i++)
        {
            Assert.Equal(Math.Abs(coords[i].A), Math.Abs(p.X[i]), 4);
            Assert.Equal(Math.Abs(coords[i].B), Math.Abs(p.Y[i]), 4);
        }
        // Variances 9·2 and 1·2 (over n − 1): shares 0.9 and 0.1.
        Assert.Equal(0.9, p.ExplainedVariance.First, 5);
        Assert.Equal(0.1, p.ExplainedVariance.Second, 5);
    }

    [Fact]
    public void The_sign_is_fixed_so_the_same_data_gives_the_same_picture()
    {
        var random = new Random(17);
        var points = Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var a = Pca.Project(points);
        var b = Pca.Project(points.Select(x => (float[])x.Clone()).ToList());
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.Y, b.Y);
    }

    [Fact]
    public void Jacobi_finds_the_eigenvalues_of_a_known_matrix()
    {
        var (values, vectors) = Pca.SymmetricEigen(new double[,] { { 2, 1, 0 }, { 1, 2, 0 }, { 0, 0, 5 } });
        Assert.Equal([1.0, 3.0, 5.0], values.Order().Select(x => Math.Round(x, 9)));
        // Each column is a unit eigenvector: A·v = λ·v.
        double[,] a = { { 2, 1, 0 }, { 1, 2, 0 }, { 0, 0, 5 } };
        for (var k = 0; k < 3; k++)
            for (var i = 0; i < 3; i++)
                Assert.Equal(values[k] * vectors[i, k], a[i, 0] * vectors[0, k] + a[i, 1] * vectors[1, k] + a[i, 2] * vectors[2, k], 9);
    }

    [Fact]
    public void Too_few_points_or_dimensions_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Pca.Project([[1f, 2f]]));
        Assert.Throws<ArgumentException>(() => Pca.Project([[1f], [2f]]));
        Assert.Throws<ArgumentException>(() => Pca.Project([[1f, 2f], [1f, 2f, 3f]]));
    }
}
