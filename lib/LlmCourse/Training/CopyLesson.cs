using LlmCourse.Model;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>How a <see cref="CopyLesson"/> trains.</summary>
/// <param name="Steps">Optimizer steps. The copying circuit appears suddenly, after a long plateau: on the course's base
/// checkpoint the second-copy loss hardly moves for about 1,500 steps, then falls within 200.</param>
/// <param name="TextRows">Windows of ordinary text per step (keeps the model a model of its corpus).</param>
/// <param name="CopyRows">Rows of repeated random tokens per step.</param>
/// <param name="MinPeriod">Shortest random pattern.</param>
/// <param name="MaxPeriod">Longest random pattern (at most half the context, so every row repeats it at least once).</param>
/// <param name="FirstId">Random tokens are drawn from ids FirstId .. vocabulary − 1 (256 skips the single bytes).</param>
/// <param name="LearningRate">Learning rate after a linear warmup, then constant: the plateau needs a steady push.</param>
/// <param name="WarmupSteps">Warmup steps.</param>
/// <param name="GradientClip">Global gradient-norm clip.</param>
/// <param name="TextSeed">Seed of the text windows.</param>
/// <param name="CopySeed">Seed of the random patterns.</param>
public sealed record CopyLessonSettings(int Steps = 2000, int TextRows = 4, int CopyRows = 16, int MinPeriod = 8, int MaxPeriod = 64, int FirstId = 256,
    double LearningRate = 1e-3, int WarmupSteps = 20, double GradientClip = 1.0, long TextSeed = 7, long CopySeed = 11);

/// <summary>One step of a copy lesson: the mean next-token loss on the text windows and on the repeated rows (nats).</summary>
public sealed record CopyLessonStep(int Step, double TextLoss, double CopyLoss);

/// <summary>
/// Teaches a model to copy from its context. Every step mixes windows of its pretraining text with rows made of a
/// random pattern of 8–64 tokens repeated to fill the context. Within a row, every token after the first period can be
/// read off the previous period, and nothing else predicts it: the only way down is an <b>induction circuit</b>
/// (one head marks each position with the token before it; another finds where the current token occurred before and
/// copies what came next). Natural text teaches this too, slowly; this small model's pretraining never got there,
/// which is why it could not use facts put into its prompt.
/// </summary>
public static class CopyLesson
{
    /// <summary>
    /// One row of <paramref name="length"/> ids: a random pattern (its length drawn first, then its ids) repeated.
    /// The draws consume <paramref name="random"/> in that order, so a seed gives the same rows every time.
    /// </summary>
    /// <exception cref="ArgumentException">A period range that is empty, below 2 or longer than half the row, or no ids to draw.</exception>
    public static long[] PeriodicRow(SeededRandom random, int length, int vocabSize, CopyLessonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(random);
        Check(length, vocabSize, settings);
        var period = settings.MinPeriod + (int)random.NextLong(settings.MaxPeriod - settings.MinPeriod + 1);
        var pattern = Enumerable.Range(0, period).Select(_ => settings.FirstId + random.NextLong(vocabSize - settings.FirstId)).ToArray();
        var row = new long[length];
        for (var i = 0; i < length; i++)
            row[i] = pattern[i % period];
        return row;
    }

    /// <summary>Trains <paramref name="model"/> in place on <paramref name="text"/> windows plus repeated random rows.</summary>
    /// <param name="model">The model (e.g. the base checkpoint).</param>
    /// <param name="text">Token ids of its pretraining text.</param>
    /// <param name="settings">Steps, mix, rate, seeds.</param>
    /// <param name="onStep">Called after every step.</param>
    /// <exception cref="ArgumentException">Bad settings, or text shorter than one window.</exception>
    /// <exception cref="TrainingDivergedException">A step's loss was not finite (the update is refused).</exception>
    public static IReadOnlyList<CopyLessonStep> Run(GptModel model, IReadOnlyList<int> text, CopyLessonSettings settings, Action<CopyLessonStep>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var context = model.Config.ContextLength;
        Check(context + 1, model.Config.VocabSize, settings);
        if (settings.Steps < 1 || settings.TextRows < 1 || settings.CopyRows < 1 || settings.WarmupSteps < 0 || !(settings.LearningRate > 0) || !(settings.GradientClip > 0))
            throw new ArgumentException($"Copy lesson settings out of range: {settings}. Steps, TextRows and CopyRows must be at least 1; the rate and the clip positive.", nameof(settings));
        using var windows = new TokenBatches(text, context, settings.TextRows, settings.TextSeed);
        using var optimizer = new AdamWOptimizer(model.named_parameters(), new AdamWSettings());
        var random = new SeededRandom(settings.CopySeed);
        var history = new List<CopyLessonStep>(settings.Steps);
        var wasTraining = model.training;
        model.train();
        try
        {
            for (var step = 1; step <= settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var rows = Enumerable.Range(0, settings.CopyRows).SelectMany(_ => PeriodicRow(random, context + 1, model.Config.VocabSize, settings)).ToArray();
                var periodic = tensor(rows).reshape(settings.CopyRows, context + 1);
                var (input, target) = windows.Next();
                var textLoss = model.Loss(input, target);
                var copyLoss = model.Loss(periodic.narrow(1, 0, context), periodic.narrow(1, 1, context));
                var loss = textLoss + copyLoss;
                var rate = step < settings.WarmupSteps ? settings.LearningRate * step / settings.WarmupSteps : settings.LearningRate;
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                    throw new TrainingDivergedException(step, value, double.NaN, rate, null);
                optimizer.ZeroGrad();
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), settings.GradientClip);
                optimizer.Step(rate);
                var record = new CopyLessonStep(step, textLoss.item<float>(), copyLoss.item<float>());
                history.Add(record);
                onStep?.Invoke(record);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return history;
    }

    private static void Check(int length, int vocabSize, CopyLessonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MinPeriod < 2 || settings.MaxPeriod < settings.MinPeriod || 2 * settings.MaxPeriod > length)
            throw new ArgumentException($"Patterns of {settings.MinPeriod}–{settings.MaxPeriod} tokens in rows of {length}: give 2 ≤ MinPeriod ≤ MaxPeriod ≤ half the row, so every row shows its pattern at least twice.", nameof(settings));
        if (settings.FirstId < 0 || settings.FirstId >= vocabSize)
            throw new ArgumentException($"FirstId = {settings.FirstId} leaves no ids to draw from a vocabulary of {vocabSize}: give 0 ≤ FirstId < {vocabSize}.", nameof(settings));
    }
}
