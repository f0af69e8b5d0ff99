namespace LlmCourse.Embeddings;

/// <summary>Points projected onto their two main directions, and how much of the spread each direction keeps.</summary>
/// <param name="X">Coordinate along the first principal component (the direction of greatest spread).</param>
/// <param name="Y">Coordinate along the second (greatest spread at right angles to the first).</param>
/// <param name="ExplainedVariance">Fraction of the total variance along each of the two directions (sums to at most 1).</param>
public sealed record Projection2D(double[] X, double[] Y, (double First, double Second) ExplainedVariance);

/// <summary>
/// Principal component analysis down to two dimensions, for plotting high-dimensional vectors on a page. It centres
/// the points, finds the two directions in which they spread most (the top eigenvectors of their covariance matrix,
/// found here with Jacobi rotations: exact and deterministic), and gives each point's coordinates along them.
/// Each direction's sign is chosen so its largest entry is positive, so the same data always gives the same picture.
/// </summary>
public static class Pca
{
    /// <summary>Projects the vectors onto their first two principal components.</summary>
    /// <exception cref="ArgumentException">Fewer than two vectors, fewer than two dimensions, or vectors of different lengths.</exception>
    public static Projection2D Project(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count < 2)
            throw new ArgumentException($"PCA needs at least 2 points to find a direction of spread (got {vectors.Count}).", nameof(vectors));
        var d = vectors[0].Length;
        if (d < 2)
            throw new ArgumentException($"Vectors with {d} number(s) cannot be projected to 2-D.", nameof(vectors));
        if (vectors.Any(v => v.Length != d))
            throw new ArgumentException("All vectors must have the same length.", nameof(vectors));

        var n = vectors.Count;
        var mean = new double[d];
        foreach (var v in vectors)
            for (var j = 0; j < d; j++)
                mean[j] += v[j] / (double)n;
        var covariance = new double[d, d];
        foreach (var v in vectors)
        {
            for (var i = 0; i < d; i++)
            {
                var ci = v[i] - mean[i];
                for (var j = i; j < d; j++)
                    covariance[i, j] += ci * (v[j] - mean[j]);
            }
        }
        for (var i = 0; i < d; i++)
            for (var j = i; j < d; j++)
                covariance[j, i] = covariance[i, j] /= n - 1;

        var (values, vectorsByColumn) = SymmetricEigen(covariance);
        var order = Enumerable.Range(0, d).OrderByDescending(k => values[k]).ThenBy(k => k).ToArray();
        var total = values.Sum(v => Math.Max(v, 0));
        var axes = order.Take(2).Select(k => Column(vectorsByColumn, k)).ToArray();
        var x = new double[n];
        var y = new double[n];
        for (var p = 0; p < n; p++)
        {
            for (var j = 0; j < d; j++)
            {
                var centred = vectors[p][j] - mean[j];
                x[p] += centred * axes[0][j];
                y[p] += centred * axes[1][j];
            }
        }
        var explained = total == 0 ? (0.0, 0.0) : (Math.Max(values[order[0]], 0) / total, Math.Max(values[order[1]], 0) / total);
        return new Projection2D(x, y, explained);
    }

    private static double[] Column(double[,] m, int k)
    {
        var column = new double[m.GetLength(0)];
        for (var i = 0; i < column.Length; i++)
            column[i] = m[i, k];
        var largest = column.MaxBy(Math.Abs);
        if (largest < 0)
            for (var i = 0; i < column.Length; i++)
                column[i] = -column[i];
        return column;
    }

    /// <summary>Eigenvalues and eigenvectors (as columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] matrix)
    {
        var d = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[d, d];
        for (var i = 0; i < d; i++)
            v[i, i] = 1;
        for (var sweep = 0; sweep < 100; sweep++)
        {
            double offDiagonal = 0, scale = 0;
            for (var i = 0; i < d; i++)
                for (var j = 0; j < d; j++)
                    (i == j ? ref scale : ref offDiagonal) += a[i, j] * a[i, j];
            if (offDiagonal <= 1e-22 * Math.Max(scale, 1e-300))
                break;
            for (var p = 0; p < d - 1; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    if (a[p, q] == 0)
                        continue;
                    // Rotate in the (p, q) plane by the angle that zeroes a[p, q].
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < d; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < d; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (var k = 0; k < d; k++)
                    {
                        var vkp = v[k, p];
                        var vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        var values = new double[d];
        for (var i = 0; i < d; i++)
            values[i] = a[i, i];
        return (values, v);
    }
}
