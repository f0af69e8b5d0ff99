namespace LlmCourse.Evaluation;

/// <summary>A named task eval ready to run on any model: its items and how to score them.</summary>
/// <param name="Name">The eval's name (matched between before/after snapshots).</param>
/// <param name="Items">The items.</param>
/// <param name="Scorer">How answers are marked.</param>
public sealed record EvalTask(string Name, IReadOnlyList<TaskItem> Items, TaskScorer Scorer)
{
    /// <summary>Runs this eval with <paramref name="answer"/>.</summary>
    /// <exception cref="ArgumentException">The set is empty, or ids repeat.</exception>
    /// <exception cref="EvalItemException">The answerer or the scorer threw; the message names the item.</exception>
    public TaskEvalResult Run(Answerer answer, int seed = Course.DefaultSeed) => TaskEval.Run(Name, Items, answer, Scorer, seed);
}
