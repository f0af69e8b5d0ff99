using LlmCourse.Alignment;
using LlmCourse.Evaluation;
using LlmCourse.Training;

namespace LlmCourse.Bench;

/// <summary><c>-- induction [checkpoint folder ...]</c>: <see cref="InductionProbe"/> on each checkpoint (default: the base).</summary>
public sealed class InductionBench : IBenchmark
{
    /// <inheritdoc />
    public string Name => "induction";

    /// <inheritdoc />
    public string Description => "loss on the first and second copy of repeated random tokens, per checkpoint: can the model copy?";

    /// <inheritdoc />
    public void Run(string[] args)
    {
        Native.TorchRuntime.EnsureLoaded();
        foreach (var folder in args.Length > 0 ? args : [BaseRecipe.Folder])
        {
            var loaded = GptCheckpoint.Load(folder);
            using var model = loaded.Model;
            var probes = CopyProbe.Items(ReadingData.Generate().HeldOut.Where(i => i.Family == "reading")).Take(40).ToList();
            var copy = CopyProbe.Run(model, loaded.Tokenizer!, probes, "copy probe");
            Console.WriteLine($"{folder}: {copy}");
            foreach (var row in copy.Rows.Take(4))
                Console.WriteLine($"   …{row.Prompt[^60..]} ⟶ {row.Answer.Replace("\n", "⏎")}   [{row.Expected}]");
            Console.WriteLine($"{folder}: {InductionProbe.Run(model)}");
            Console.WriteLine($"{folder}, 16-token spans: {InductionProbe.Run(model, length: 16)}");
        }
    }
}
