using System.Diagnostics;
using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>What <see cref="MinimalTrainer.Train"/> did.</summary>
/// <param name="Losses">The training loss of every step.</param>
/// <param name="Elapsed">Wall-clock time of the whole run.</param>
/// <param name="Tokens">Tokens processed (steps × batch × context).</param>
public sealed record TrainingRun(IReadOnlyList<double> Losses, TimeSpan Elapsed, long Tokens)
{
    /// <summary>Training throughput.</summary>
    public double TokensPerSecond => Tokens / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>Mean loss of the last <paramref name="steps"/> steps (less noisy than the last one).</summary>
    public double FinalLoss(int steps = 10) => Losses.TakeLast(Math.Max(1, steps)).Average();
}

/// <summary>
/// The simplest training loop that works, for the notebooks that need a small trained model before the course's real
/// trainer exists: random windows of a token array, AdamW, linear warm-up then cosine decay, gradient clipping.
/// No validation schedule, checkpoints, accumulation or NaN handling: those belong to the real trainer.
/// </summary>
public static class MinimalTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on random windows of <paramref name="tokens"/> (context length from the model's config).
    /// Same seed and thread count, same losses.
    /// </summary>
    /// <param name="model">The model (left in training mode).</param>
    /// <param name="tokens">The training text as token ids.</param>
    /// <param name="steps">Optimizer steps.</param>
    /// <param name="batchSize">Windows per step.</param>
    /// <param name="learningRate">Peak learning rate (reached after 10% of the steps, then cosine down to a tenth).</param>
    /// <param name="seed">Seed of the window sampler.</param>
    /// <param name="progress">Called every <paramref name="reportEvery"/> steps with (step, loss).</param>
    /// <param name="reportEvery">Steps between progress calls.</param>
    /// <exception cref="ArgumentException">Too few tokens for one window, or a non-positive size.</exception>
    public static TrainingRun Train(GptModel model, int[] tokens, int steps, int batchSize, double learningRate,
        int seed = Course.DefaultSeed, Action<int, double>? progress = null, int reportEvery = 50)
    {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0))
            throw new ArgumentException($"Steps ({steps}) and batch size ({batchSize}) must be at least 1 and the learning rate ({learningRate}) above 0.");
        var context = model.Config.ContextLength;
        var sampler = new WindowSampler(tokens, context, seed);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: learningRate, beta1: 0.9, beta2: 0.95, weight_decay: 0.1);
        var group = optimizer.ParamGroups.First();
        var warmup = Math.Max(1, steps / 10);
        var losses = new List<double>(steps);
        model.train();
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            group.LearningRate = Schedule(step, steps, warmup, learningRate);
            var (ids, targets) = sampler.Next(batchSize);
            optimizer.zero_grad();
            var loss = model.Loss(ids, targets);
            loss.backward();
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            losses.Add(loss.ToDouble());
            if (progress is not null && ((step + 1) % reportEvery == 0 || step == steps - 1))
                progress(step + 1, losses[^1]);
        }
        return new TrainingRun(losses, clock.Elapsed, (long)steps * batchSize * context);
    }

    /// <summary>Warm-up from a tenth of the peak, then a cosine down to a tenth.</summary>
    public static double Schedule(int step, int steps, int warmup, double peak)
    {
        if (step < warmup)
            return peak * (0.1 + 0.9 * step / warmup);
        var progress = (double)(step - warmup) / Math.Max(1, steps - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>Mean next-token loss (nats) over <paramref name="batches"/> fixed random batches of <paramref name="tokens"/>, without gradients.</summary>
    public static double EvaluateLoss(GptModel model, int[] tokens, int batches = 10, int batchSize = 16, int seed = Course.DefaultSeed + 1)
    {
        var sampler = new WindowSampler(tokens, model.Config.ContextLength, seed);
        var wasTraining = model.training;
        model.eval();
        using var noGrad = torch.no_grad();
        double total = 0;
        for (var b = 0; b < batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            var (ids, targets) = sampler.Next(batchSize);
            total += model.Loss(ids, targets).ToDouble();
        }
        model.train(wasTraining);
        return total / batches;
    }

    /// <summary>Random windows of a token array: inputs [batch, context] and the same windows shifted by one as targets.</summary>
    public sealed class WindowSampler
    {
        private readonly int[] tokens;
        private readonly int context;
        private readonly Random random;

        /// <summary>Samples windows of <paramref name="context"/> tokens from <paramref name="tokens"/>.</summary>
        /// <exception cref="ArgumentException">The text is shorter than one window plus its target.</exception>
        public WindowSampler(int[] tokens, int context, int seed)
        {
            if (tokens.Length < context + 1)
                throw new ArgumentException($"The text has {tokens.Length} tokens; a window needs {context + 1} (context + the next token). Use more text or a shorter ContextLength.", nameof(tokens));
            this.tokens = tokens;
            this.context = context;
            random = new Random(seed);
        }

        /// <summary>The next batch (created in the caller's dispose scope).</summary>
        public (Tensor Ids, Tensor Targets) Next(int batchSize)
        {
            var ids = new long[batchSize * context];
            var targets = new long[batchSize * context];
            for (var b = 0; b < batchSize; b++)
            {
                var start = random.Next(tokens.Length - context);
                for (var t = 0; t < context; t++)
                {
                    ids[b * context + t] = tokens[start + t];
                    targets[b * context + t] = tokens[start + t + 1];
                }
            }
            return (torch.tensor(ids, [batchSize, context]), torch.tensor(targets, [batchSize, context]));
        }
    }
}
