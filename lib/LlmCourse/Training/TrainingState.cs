using System.Text.Json;

namespace LlmCourse.Training;

/// <summary>
/// Where a run stands, as a checkpoint's <c>training.json</c> stores it: with the weights and the optimizer state
/// this is everything a resumed run needs to continue exactly as if it had never stopped.
/// </summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="TokensSeen">Training tokens consumed so far.</param>
/// <param name="DataRandomState">The batch sampler's generator state: the data position.</param>
/// <param name="TorchRandomState">torch's global generator state (dropout), base64.</param>
/// <param name="Settings">The run's settings.</param>
/// <param name="History">The loss curves so far.</param>
public sealed record TrainingState(int Step, long TokensSeen, ulong DataRandomState, string TorchRandomState, TrainingSettings Settings, TrainingHistory History)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The state as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a training state.</exception>
    public static TrainingState FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(json, Options)
                   ?? throw new InvalidDataException($"{source} holds 'null', not a training state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a training state ({e.Message}). The checkpoint is damaged; save it again.", e);
        }
    }
}
