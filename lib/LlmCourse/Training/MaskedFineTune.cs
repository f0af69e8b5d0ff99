using LlmCourse.Model;
using LlmCourse.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>One piece of a training text: the model reads every segment, but learns only from those with <paramref name="Learn"/> set.</summary>
/// <param name="Text">The text (special-token spellings such as &lt;|end|&gt; become special tokens).</param>
/// <param name="Learn">True: the loss covers these tokens (the answer). False: context only (the question, a tool's result).</param>
public sealed record TextSegment(string Text, bool Learn);

/// <summary>The knobs of a <see cref="MaskedFineTune"/> run.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Examples per step, drawn at random (with a seeded generator) from the set.</param>
/// <param name="LearningRate">Constant learning rate after a linear warmup (AdamW, no weight decay).</param>
/// <param name="WarmupSteps">Steps of warmup.</param>
/// <param name="Seed">Seed of the example draws.</param>
public sealed record MaskedFineTuneSettings(int Steps = 100, int BatchSize = 16, double LearningRate = 5e-4, int WarmupSteps = 10, long Seed = Course.DefaultSeed);

/// <summary>
/// A small fine-tune on texts cut into segments, with the loss on the learnable segments only: the model reads the
/// question but is graded on the answer. Rows are padded to the longest in the batch (id 0 as input, which the causal
/// mask hides from real positions; ignored as target). Trains every parameter that has <c>requires_grad</c>, so after
/// <c>Lora.Apply</c> it trains the adapters only.
/// </summary>
public static class MaskedFineTune
{
    /// <summary>The target id the loss ignores.</summary>
    public const long Ignore = -100;

    /// <summary>Token ids and targets of one example: target[t] = ids[t + 1] when that token is learnable, else <see cref="Ignore"/>.</summary>
    /// <exception cref="ArgumentException">No segment is learnable, or the example is longer than <paramref name="contextLength"/>.</exception>
    public static (int[] Ids, long[] Targets) Encode(ITokenizer tokenizer, IReadOnlyList<TextSegment> segments, int contextLength)
    {
        var ids = new List<int>();
        var learn = new List<bool>();
        foreach (var segment in segments)
        {
            var piece = tokenizer.Encode(segment.Text);
            ids.AddRange(piece);
            learn.AddRange(Enumerable.Repeat(segment.Learn, piece.Length));
        }
        var text = string.Concat(segments.Select(s => s.Text));
        if (!learn.Contains(true))
            throw new ArgumentException($"The example '{Short(text)}' has no learnable segment, so it would teach nothing: mark the answer with Learn = true.", nameof(segments));
        if (ids.Count > contextLength)
            throw new ArgumentException($"The example '{Short(text)}' has {ids.Count} tokens, more than the model's context of {contextLength}: shorten it.", nameof(segments));
        if (!learn.Skip(1).Contains(true))
            throw new ArgumentException($"In '{Short(text)}' only the first token is learnable, and the first token has nothing before it to predict it from: put some context first.", nameof(segments));
        var targets = new long[ids.Count];
        for (var t = 0; t < ids.Count; t++)
            targets[t] = t + 1 < ids.Count && learn[t + 1] ? ids[t + 1] : Ignore;
        return (ids.ToArray(), targets);
    }

    /// <summary>Fine-tunes <paramref name="model"/> in place; returns the loss on the learnable tokens at every step.</summary>
    /// <exception cref="ArgumentException">The set is empty, an example is invalid (see <see cref="Encode"/>), or a setting is out of range.</exception>
    public static IReadOnlyList<double> Run(GptModel model, ITokenizer tokenizer, IReadOnlyList<IReadOnlyList<TextSegment>> examples,
        MaskedFineTuneSettings settings, Action<int, double>? onStep = null)
    {
        if (examples.Count == 0)
            throw new ArgumentException("There are no examples to fine-tune on.", nameof(examples));
        if (settings.Steps < 1 || settings.BatchSize < 1 || !(settings.LearningRate > 0))
            throw new ArgumentException($"Steps ({settings.Steps}) and BatchSize ({settings.BatchSize}) must be >= 1 and LearningRate ({settings.LearningRate}) > 0.", nameof(settings));
        var encoded = examples.Select(e => Encode(tokenizer, e, model.Config.ContextLength)).ToList();
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        using var optimizer = new AdamWOptimizer(trainable, new AdamWSettings(WeightDecay: 0));
        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.LearningRate, Math.Min(settings.WarmupSteps, settings.Steps - 1), settings.Steps).Validate();
        var random = new SeededRandom(settings.Seed);
        var losses = new List<double>(settings.Steps);
        var wasTraining = model.training;
        model.train();
        try
        {
            for (var step = 0; step < settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var batch = Enumerable.Range(0, settings.BatchSize).Select(_ => encoded[(int)random.NextLong(encoded.Count)]).ToList();
                var (inputs, targets) = Pad(batch);
                var loss = model.Loss(inputs, targets);
                loss.backward();
                var norm = nn.utils.clip_grad_norm_(trainable.Select(p => p.parameter), 1.0);
                var value = loss.ToDouble();
                if (!double.IsFinite(value) || !double.IsFinite(norm))
                    throw new TrainingDivergedException(step, value, norm, schedule.At(step), null);
                optimizer.Step(schedule.At(step));
                optimizer.ZeroGrad();
                losses.Add(value);
                onStep?.Invoke(step, value);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return losses;
    }

    private static (Tensor Inputs, Tensor Targets) Pad(IReadOnlyList<(int[] Ids, long[] Targets)> rows)
    {
        var width = rows.Max(r => r.Ids.Length);
        var inputs = new long[rows.Count * width];
        var targets = new long[rows.Count * width];
        Array.Fill(targets, Ignore);
        for (var b = 0; b < rows.Count; b++)
            for (var t = 0; t < rows[b].Ids.Length; t++)
            {
                inputs[b * width + t] = rows[b].Ids[t];
                targets[b * width + t] = rows[b].Targets[t];
            }
        return (torch.tensor(inputs, [rows.Count, width]), torch.tensor(targets, [rows.Count, width]));
    }

    private static string Short(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
