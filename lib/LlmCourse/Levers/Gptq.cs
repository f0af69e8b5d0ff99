using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>Knobs of GPTQ.</summary>
/// <param name="BlockSize">Columns processed together: errors inside a block are propagated column by column, to the
/// rest of the matrix once per block with one matmul ("lazy batch updates"). Changes speed, not the result.</param>
/// <param name="Damping">λ: <c>λ · mean(diag H)</c> is added to H's diagonal so the Cholesky factorisation stays
/// stable when some inputs are (nearly) linearly dependent. The paper uses 0.01.</param>
public sealed record GptqOptions(int BlockSize = 128, double Damping = 0.01);

/// <summary>
/// GPTQ (Frantar et al., 2022): quantize a layer's weight one input column at a time and, after each column, push its
/// rounding error onto the columns not yet quantized, in the proportions that keep the layer's <em>output</em> on the
/// calibration data as close as possible to the original. Round-to-nearest minimises each weight's own error; GPTQ
/// minimises <c>‖X·Wᵀ − X·Qᵀ‖²</c>, whose curvature is the Hessian <c>H = 2XᵀX</c>.
/// </summary>
/// <remarks>
/// <para>The update after rounding column j is <c>W[:, j+1:] −= (w_j − q_j)/U[j,j] · U[j, j+1:]</c>, where U is the
/// upper Cholesky factor of H⁻¹ (<c>H⁻¹ = UᵀU</c>). Row j of U holds exactly the inverse-Hessian entries GPTQ's
/// derivation needs after the first j columns have been eliminated, so one factorisation replaces n matrix inversions.</para>
/// <para>Group scales are fitted when the first column of a group is reached, on the weights as updated so far
/// (including updates still pending in the current block), so they cover the error already pushed into the group. Columns are taken in their natural order (the paper's
/// "act-order" variant, which starts with the largest diag(H), is not implemented: it needs a column permutation
/// stored next to the groups).</para>
/// </remarks>
public static class Gptq
{
    /// <summary>
    /// Quantizes <paramref name="weight"/> (out × in) given the Hessian <paramref name="hessian"/> (in × in) of its
    /// calibration inputs. Same storage as <see cref="QuantizedTensor.Quantize"/>; only the chosen levels differ.
    /// </summary>
    /// <exception cref="ArgumentException">Per-tensor scheme (GPTQ here needs per-channel or grouped scales), shapes that
    /// do not match, or a scheme that does not fit the layer.</exception>
    public static QuantizedTensor Quantize(Tensor weight, Tensor hessian, QuantScheme scheme, GptqOptions? options = null)
    {
        options ??= new GptqOptions();
        var (rows, cols) = (weight.shape[0], weight.shape[1]);
        scheme.Validate(rows, cols);
        if (scheme.Granularity == QuantGranularity.PerTensor)
            throw new ArgumentException("GPTQ fits scales as it walks the columns, so it needs per-channel or grouped scales: use QuantScheme.Int8PerChannel() or Int4Grouped(...).");
        if (!hessian.shape.SequenceEqual([cols, cols]))
            throw new ArgumentException($"The Hessian must be {cols} × {cols} for a weight with {cols} input features, got [{string.Join(", ", hessian.shape)}].");
        if (options.BlockSize < 1 || options.Damping < 0)
            throw new ArgumentException($"GPTQ needs BlockSize >= 1 and Damping >= 0 (got {options.BlockSize}, {options.Damping}); the defaults are 128 and 0.01.");

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var w = weight.detach().to(ScalarType.Float32).clone();
        var u = InverseHessianFactor(hessian, w, options.Damping);
        var groupWidth = scheme.Granularity == QuantGranularity.Grouped ? scheme.GroupSize : cols;
        var groups = cols / groupWidth;
        var levels = zeros(rows, cols);
        var scales = zeros(rows, groups);
        var zeroPoints = zeros(rows, groups);
        Tensor? scale = null, zero = null; // the current group's grid; lives across blocks when a group spans several

        for (long b1 = 0; b1 < cols; b1 += options.BlockSize)
        {
            using var blockScope = NewDisposeScope();
            var b2 = Math.Min(b1 + options.BlockSize, cols);
            var count = b2 - b1;
            var block = w.narrow(1, b1, count).clone();
            var blockErrors = zeros(rows, count);
            var uBlock = u.narrow(0, b1, count).narrow(1, b1, count);
            for (long i = 0; i < count; i++)
            {
                var col = b1 + i;
                if (col % groupWidth == 0)
                {
                    // Fit this group's grid on its current weights: the part inside this block is already updated.
                    var inBlock = block.narrow(1, i, Math.Min(groupWidth, count - i));
                    var current = col + groupWidth > b2 ? cat([inBlock, PendingColumns(w, u, blockErrors, b1, i, b2, col + groupWidth - b2)], 1) : inBlock;
                    var (s, z) = QuantGrid.Fit(current.unsqueeze(1), scheme);
                    scale?.Dispose();
                    zero?.Dispose();
                    (scale, zero) = (s.squeeze(1).DetachFromDisposeScope(), z.squeeze(1).DetachFromDisposeScope());
                    scales.select(1, col / groupWidth).copy_(scale);
                    zeroPoints.select(1, col / groupWidth).copy_(zero);
                }
                using var columnScope = NewDisposeScope();
                var column = block.select(1, i);
                var level = QuantGrid.Levels(column, scale!, zero!, scheme);
                levels.select(1, col).copy_(level);
                var error = (column - QuantGrid.Values(level, scale!, zero!)) / uBlock[i, i];
                block.narrow(1, i, count - i).sub_(outer(error, uBlock[i].narrow(0, i, count - i)));
                blockErrors.select(1, i).copy_(error);
            }
            if (b2 < cols) w.narrow(1, b2, cols - b2).sub_(blockErrors.mm(u.narrow(0, b1, count).narrow(1, b2, cols - b2)));
        }
        scale?.Dispose();
        zero?.Dispose();
        return QuantizedTensor.FromLevels(levels, scales, zeroPoints, scheme).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Columns [from, from + n) of W beyond the current block as they will be once the block's errors so far (its first
    /// <paramref name="done"/> columns) are applied, which the lazy update only does at the end of the block.
    /// </summary>
    private static Tensor PendingColumns(Tensor w, Tensor u, Tensor blockErrors, long blockStart, long done, long from, long n)
    {
        var columns = w.narrow(1, from, n);
        return done == 0 ? columns : columns - blockErrors.narrow(1, 0, done).mm(u.narrow(0, blockStart, done).narrow(1, from, n));
    }

    /// <summary>
    /// The upper Cholesky factor U of the damped inverse Hessian (float32). Inputs that never fired (zero diagonal)
    /// get a unit diagonal and their weight columns are zeroed, as in the paper: they cannot affect the output.
    /// </summary>
    private static Tensor InverseHessianFactor(Tensor hessian, Tensor w, double damping)
    {
        using var scope = NewDisposeScope();
        var h = hessian.to(ScalarType.Float64).clone();
        var dead = h.diagonal().eq(0);
        if (dead.any().item<bool>())
        {
            h.diagonal().masked_fill_(dead, 1);
            w.masked_fill_(dead.unsqueeze(0), 0);
        }
        h.diagonal().add_(damping * h.diagonal().mean().item<double>());
        var (lower, info) = linalg.cholesky_ex(h, check_errors: false);
        if (info.item<int>() != 0)
            throw new ArgumentException("The calibration Hessian is not positive definite even after damping: raise GptqOptions.Damping (e.g. 0.1) or calibrate on more tokens.");
        var inverse = cholesky_inverse(lower, upper: false);
        var upper = linalg.cholesky(inverse).t();
        return upper.to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean squared output error a weight change causes on the calibration inputs, from their Hessian alone:
    /// <c>tr(ΔW · H · ΔWᵀ) / 2 / out</c> = mean over rows and outputs of <c>(x·ΔWᵀ)²</c>. Compares schemes without rerunning the model.
    /// </summary>
    public static double OutputError(Tensor weight, Tensor quantized, Tensor hessian)
    {
        using var scope = NewDisposeScope();
        var delta = (weight.to(ScalarType.Float64) - quantized.to(ScalarType.Float64));
        return (delta.mm(hessian.to(ScalarType.Float64)) * delta).sum().item<double>() / 2 / weight.shape[0];
    }
}
