using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>Picks the <see cref="Linear"/> layers a lever applies to, with errors that say how to fix the pattern.</summary>
public static class LinearTargets
{
    /// <summary>
    /// The Linear layers of <paramref name="model"/> whose qualified name matches <paramref name="pattern"/> (a regular
    /// expression, e.g. <c>@"attn\.(qkv|proj)$"</c>), or every Linear when the pattern is null.
    /// </summary>
    /// <param name="model">The model to search.</param>
    /// <param name="pattern">Regex searched in each qualified name; null means every Linear.</param>
    /// <param name="lever">The lever's name for error messages ("LoRA", "quantization").</param>
    /// <exception cref="ArgumentException">Nothing matched, or the pattern matched a module that is not a Linear
    /// (an embedding, a norm, a whole block, or a layer that was already swapped).</exception>
    public static IReadOnlyList<(string Name, Linear Layer)> Find(nn.Module model, string? pattern, string lever)
    {
        if (pattern is null)
        {
            var all = model.named_modules().Where(m => m.module is Linear).Select(m => (m.name, (Linear)m.module)).ToList();
            if (all.Count == 0)
                throw new ArgumentException($"{lever}: the model has no Linear layers left (already replaced?). Apply it to a model built from nn.Linear projections.");
            return all;
        }
        var matches = ModuleSurgery.Matching(model, pattern);
        var sample = string.Join(", ", model.named_modules().Where(m => m.module is Linear).Select(m => m.name).Take(6));
        if (matches.Count == 0)
            throw new ArgumentException($"{lever}: no layer name matches '{pattern}'. Linear layers of this model are named like: {sample}.", nameof(pattern));
        var wrong = matches.FirstOrDefault(m => m.Module is not Linear);
        if (wrong.Module is QuantizedLinear or LoraLinear)
            throw new ArgumentException(
                $"{lever} applies to float Linear layers, but '{wrong.Name}' is already a {wrong.Module.GetType().Name}. Levers do not stack here: " +
                "train LoRA on the float model, merge it (Lora.Unwrap), then quantize; or reload the float checkpoint.", nameof(pattern));
        if (wrong.Module is not null)
            throw new ArgumentException(
                $"{lever} applies to Linear layers only, but '{pattern}' also matches '{wrong.Name}', a {wrong.Module.GetType().Name}. " +
                $"Narrow the pattern (anchor it with $ to match name endings); Linear layers are named like: {sample}.", nameof(pattern));
        return matches.Select(m => (m.Name, (Linear)m.Module)).ToList();
    }
}
