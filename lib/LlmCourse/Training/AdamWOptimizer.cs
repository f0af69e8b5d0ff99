using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Training;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), written out so students can read it and so its state
/// is plain named tensors a checkpoint stores as safetensors. Same arithmetic as <c>torch.optim.AdamW</c>.
/// <para>
/// Which parameters decay (<see cref="Decays"/>): those with 2 or more dimensions — every weight matrix, including
/// the token embedding, which with a tied head is also the output layer. Norm gains and biases (1-D) do not: decay
/// pulls towards 0, and a norm gain of 0 switches its layer off rather than making the model simpler; biases are
/// few and shift rather than scale. This is nanoGPT's rule.
/// </para>
/// </summary>
public sealed class AdamWOptimizer : IDisposable
{
    private const string ExpAvgPrefix = "exp_avg.";
    private const string ExpAvgSqPrefix = "exp_avg_sq.";
    private const string StepKey = "step";
    private readonly List<Slot> slots;

    /// <summary>Creates the optimizer over a module's named trainable parameters.</summary>
    public AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, AdamWSettings settings)
    {
        Settings = settings.Validate();
        slots = parameters.Where(p => p.Parameter.requires_grad)
            .Select(p => new Slot(p.Name, p.Parameter, Decays(p.Parameter)))
            .ToList();
        if (slots.Select(s => s.Name).Distinct().Count() != slots.Count)
            throw new ArgumentException("Two parameters share a name; pass module.named_parameters().");
    }

    /// <summary>The hyperparameters (the learning rate is given per step).</summary>
    public AdamWSettings Settings { get; }

    /// <summary>Updates done so far (Adam's t; its bias corrections depend on it).</summary>
    public long StepCount { get; private set; }

    /// <summary>Names of the parameters that get weight decay.</summary>
    public IReadOnlyList<string> Decayed => slots.Where(s => s.Decay).Select(s => s.Name).ToList();

    /// <summary>Names of the parameters that do not.</summary>
    public IReadOnlyList<string> NotDecayed => slots.Where(s => !s.Decay).Select(s => s.Name).ToList();

    /// <summary>The decay rule: matrices (2+ dimensions) decay; vectors (norm gains, biases) do not.</summary>
    public static bool Decays(Tensor parameter) => parameter.dim() >= 2;

    /// <summary>Applies one update at learning rate <paramref name="learningRate"/> using the gradients in each parameter's <c>.grad</c>.</summary>
    public void Step(double learningRate)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        StepCount++;
        var (beta1, beta2) = (Settings.Beta1, Settings.Beta2);
        var correction1 = 1 - Math.Pow(beta1, StepCount);
        var correction2Root = Math.Sqrt(1 - Math.Pow(beta2, StepCount));
        foreach (var slot in slots)
        {
            var grad = slot.Parameter.grad;
            if (grad is null)
                continue;
            slot.EnsureState();
            if (slot.Decay && Settings.WeightDecay > 0)
                slot.Parameter.mul_(1 - learningRate * Settings.WeightDecay);
            slot.ExpAvg!.mul_(beta1).add_(grad, alpha: 1 - beta1);
            slot.ExpAvgSq!.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
            var denominator = (slot.ExpAvgSq.sqrt() / correction2Root).add_(Settings.Epsilon);
            slot.Parameter.addcdiv_(slot.ExpAvg, denominator, value: -learningRate / correction1);
        }
    }

    /// <summary>Clears every parameter's gradient (sets it to null, which frees its memory).</summary>
    public void ZeroGrad()
    {
        foreach (var slot in slots)
            slot.Parameter.grad = null;
    }

    /// <summary>
    /// Writes the state as safetensors: <c>exp_avg.NAME</c> and <c>exp_avg_sq.NAME</c> per parameter (fp32, exact),
    /// the step count in the metadata.
    /// </summary>
    public void SaveState(string path)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var slot in slots.Where(s => s.ExpAvg is not null))
        {
            state[$"{ExpAvgPrefix}{slot.Name}"] = slot.ExpAvg!;
            state[$"{ExpAvgSqPrefix}{slot.Name}"] = slot.ExpAvgSq!;
        }
        IO.SafetensorsWriter.Write(path, state, new Dictionary<string, string> { [StepKey] = StepCount.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>Restores state written by <see cref="SaveState"/>; every tensor is checked against its parameter.</summary>
    /// <exception cref="InvalidDataException">A name or shape does not match this optimizer's parameters; the message names it.</exception>
    public void LoadState(string path)
    {
        using var file = IO.SafetensorsReader.Open(path);
        if (!file.Metadata.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, CultureInfo.InvariantCulture, out var step))
            throw new InvalidDataException($"{path}: no '{StepKey}' in the metadata; this is not an optimizer state written by the course's AdamW.");
        var known = new HashSet<string>();
        using (no_grad())
        {
            foreach (var slot in slots)
            {
                string avg = ExpAvgPrefix + slot.Name, avgSq = ExpAvgSqPrefix + slot.Name;
                known.Add(avg);
                known.Add(avgSq);
                if (!file.Contains(avg))
                {
                    slot.Reset(); // a parameter that had no gradient yet when the state was saved
                    continue;
                }
                slot.EnsureState();
                file.ReadInto(avg, slot.ExpAvg!);
                file.ReadInto(avgSq, slot.ExpAvgSq!);
            }
        }
        var unexpected = file.Names.Where(n => !known.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{path}: optimizer state for parameters this model does not have: {string.Join(", ", unexpected.Take(5))}. " +
                                           "The checkpoint belongs to another model configuration.");
        StepCount = step;
    }

    /// <summary>Frees the moment tensors.</summary>
    public void Dispose()
    {
        foreach (var slot in slots)
            slot.Reset();
    }

    private sealed class Slot(string name, Parameter parameter, bool decay)
    {
        public string Name { get; } = name;
        public Parameter Parameter { get; } = parameter;
        public bool Decay { get; } = decay;
        public Tensor? ExpAvg { get; private set; }
        public Tensor? ExpAvgSq { get; private set; }

        public void EnsureState()
        {
            ExpAvg ??= zeros_like(Parameter).DetachFromDisposeScope();
            ExpAvgSq ??= zeros_like(Parameter).DetachFromDisposeScope();
        }

        public void Reset()
        {
            ExpAvg?.Dispose();
            ExpAvgSq?.Dispose();
            ExpAvg = ExpAvgSq = null;
        }
    }
}
