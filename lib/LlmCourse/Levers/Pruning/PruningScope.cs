namespace LlmCourse.Levers.Pruning;

/// <summary>Where magnitude pruning compares weights to decide which are smallest.</summary>
public enum PruningScope
{
    /// <summary>Every layer loses the same share of its weights, the smallest of that layer.</summary>
    PerLayer,

    /// <summary>
    /// One ranking over all targeted weights: the smallest anywhere go first, so layers with many small weights lose
    /// more and layers with large weights lose less. The total share is the requested one; each layer's share varies.
    /// </summary>
    Global,
}
