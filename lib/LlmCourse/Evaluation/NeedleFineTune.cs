using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Evaluation;

/// <summary>The knobs of a retrieval fine-tune (<see cref="NeedleFineTune"/>).</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Needle cases per step (all of one prompt length).</param>
/// <param name="MinLength">Shortest prompt trained on, in tokens.</param>
/// <param name="MaxLength">Longest prompt trained on: the probe past it shows whether retrieval generalises in length.</param>
/// <param name="LearningRate">Peak learning rate (AdamW, no weight decay), after a linear warmup.</param>
/// <param name="WarmupSteps">Steps of warmup.</param>
/// <param name="Seed">Seed of the cases (keys, depths, lengths, filler).</param>
public sealed record NeedleFineTuneSettings(int Steps = 200, int BatchSize = 16, int MinLength = 48, int MaxLength = 96,
    double LearningRate = 1e-3, int WarmupSteps = 20, long Seed = Course.DefaultSeed);

/// <summary>
/// Teaches a model the skill the needle probe measures: on freshly generated needle cases, the loss is taken on the
/// answer tokens only, so the model learns to find "The key is 47." and copy the number, not more Austen. A small
/// model shows a plateau first (it can only guess digits) and then a sudden drop when it learns to copy.
/// </summary>
public static class NeedleFineTune
{
    /// <summary>Fine-tunes <paramref name="model"/> in place; returns the answer loss (nats per answer token) of every step.</summary>
    /// <param name="model">The model to fine-tune.</param>
    /// <param name="haystack">Builds the cases (same tokenizer as the model).</param>
    /// <param name="settings">Steps, batch, lengths, learning rate.</param>
    /// <param name="onStep">Called after each step with (step, loss).</param>
    /// <exception cref="ArgumentException">A setting is out of range, or the lengths cannot hold the needle.</exception>
    public static IReadOnlyList<double> Run(GptModel model, NeedleHaystack haystack, NeedleFineTuneSettings settings, Action<int, double>? onStep = null)
    {
        if (settings.Steps < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"Steps ({settings.Steps}) and BatchSize ({settings.BatchSize}) must be at least 1.", nameof(settings));
        if (settings.MinLength < haystack.MinimumLength || settings.MaxLength < settings.MinLength)
            throw new ArgumentException($"Lengths [{settings.MinLength}, {settings.MaxLength}] must satisfy {haystack.MinimumLength} (needle + question) <= min <= max.", nameof(settings));
        var schedule = new WarmupCosineSchedule(settings.LearningRate, settings.LearningRate, Math.Min(settings.WarmupSteps, settings.Steps - 1), settings.Steps).Validate();
        using var optimizer = new AdamWOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), new AdamWSettings(WeightDecay: 0));
        var random = new SeededRandom(settings.Seed);
        var losses = new List<double>(settings.Steps);
        var wasTraining = model.training;
        model.train();
        try
        {
            for (var step = 0; step < settings.Steps; step++)
            {
                using var scope = NewDisposeScope();
                var length = settings.MinLength + (int)random.NextLong(settings.MaxLength - settings.MinLength + 1);
                var examples = Enumerable.Range(0, settings.BatchSize)
                    .Select(_ => haystack.Build(length, random.NextLong(1_000_001) / 1_000_000.0, unchecked((int)random.NextBits())).TrainingExample())
                    .ToArray();
                var (inputs, targets) = Pad(examples);
                var loss = model.Loss(inputs, targets);
                loss.backward();
                var norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                var value = loss.ToDouble();
                if (!double.IsFinite(value) || !double.IsFinite(norm))
                    throw new TrainingDivergedException(step, value, norm, schedule.At(step), null); // before the bad update touches the weights
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

    /// <summary>
    /// Stacks examples into [batch, longest] tensors. Answers can differ in token count (a BPE tokenizer splits
    /// numbers differently), so shorter rows are padded at the end: id 0 as input (attention is causal, so no real
    /// position sees it) and the ignore target as target.
    /// </summary>
    internal static (Tensor Inputs, Tensor Targets) Pad(IReadOnlyList<(int[] Inputs, int[] Targets)> examples)
    {
        var width = examples.Max(e => e.Inputs.Length);
        var inputs = new long[examples.Count * width];
        var targets = new long[examples.Count * width];
        Array.Fill(targets, NeedleCase.IgnoreTarget);
        for (var b = 0; b < examples.Count; b++)
            for (var t = 0; t < examples[b].Inputs.Length; t++)
            {
                inputs[b * width + t] = examples[b].Inputs[t];
                targets[b * width + t] = examples[b].Targets[t];
            }
        return (torch.tensor(inputs, [examples.Count, width]), torch.tensor(targets, [examples.Count, width]));
    }
}
