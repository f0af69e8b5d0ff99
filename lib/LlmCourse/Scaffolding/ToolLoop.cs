using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Tokenization;

namespace LlmCourse.Scaffolding;

/// <summary>What one <see cref="ToolLoop.Run"/> produced.</summary>
/// <param name="Reply">The whole assistant turn: the model's text, the calls, and the results the loop wrote after them.</param>
/// <param name="Answer">The model's own words after the last tool result (the whole reply when there was no call): what to score.</param>
/// <param name="Results">The calls that ran, in order, with their results.</param>
/// <param name="Continuations">How many times the model was asked to continue (1 without a call, 2 with one).</param>
public sealed record ToolLoopResult(string Reply, string Answer, IReadOnlyList<ToolResult> Results, int Continuations);

/// <summary>
/// The tool loop of an assistant: let the model write; when its text contains a call to a tool
/// (<c>calc(12*7)</c>), cut the text right after the call (whatever the model imagined the result to be is thrown
/// away), run the tool, write its result into the text after an arrow (<c>calc(12*7) → 84</c>) and let the model
/// continue from there. The result is inline, as in Toolformer (Schick et al., 2023), so no extra chat role is needed.
/// </summary>
/// <remarks>
/// The loop is plain text in, text out: <see cref="Continue"/> can be a model (<see cref="ForModel"/>) or, in a test,
/// a script. A model learns to call a tool only from examples of calls (fine-tuning or a prompt); the loop does the
/// rest. A malformed call never throws: its <c>error: …</c> text is fed back like a result.
/// </remarks>
/// <param name="tools">The tools on offer.</param>
/// <param name="continueText">Text so far → the model's continuation of it (new text only).</param>
/// <param name="maxCalls">Calls run per reply; text after that many calls is left as written.</param>
public sealed class ToolLoop(ToolBox tools, Func<string, string> continueText, int maxCalls = 1)
{
    /// <summary>Written between a call and its result.</summary>
    public const string ResultMarker = " → ";

    /// <summary>Written after a result, before the model continues.</summary>
    public const string AfterResult = "\n";

    /// <summary>The tools on offer.</summary>
    public ToolBox Tools { get; } = tools;

    /// <summary>The model (or script) that continues the text.</summary>
    public Func<string, string> Continue { get; } = continueText;

    /// <summary>Calls run per reply.</summary>
    public int MaxCalls { get; } = maxCalls >= 0 ? maxCalls : throw new ArgumentOutOfRangeException(nameof(maxCalls), $"maxCalls = {maxCalls}: use 0 (no tools) or more.");

    /// <summary>How a result is written after its call: <c>" → 84\n"</c>. Fine-tuning transcripts must use the same.</summary>
    public static string FormatResult(string result) => ResultMarker + result + AfterResult;

    /// <summary>Runs one assistant turn after <paramref name="prompt"/> (the conversation so far, ending where the assistant starts).</summary>
    public ToolLoopResult Run(string prompt)
    {
        var reply = "";
        var results = new List<ToolResult>();
        var continuations = 0;
        var answerStart = 0;
        while (true)
        {
            var text = Continue(prompt + reply) ?? "";
            continuations++;
            var call = results.Count < MaxCalls ? Tools.FindCall(text) : null;
            if (call is null)
            {
                reply += text;
                return new ToolLoopResult(reply, reply[answerStart..], results, continuations);
            }
            var result = Tools.Run(call);
            results.Add(result);
            reply += text[..call.End] + FormatResult(result.Text);
            answerStart = reply.Length;
        }
    }

    /// <summary>
    /// A continuation function backed by a model: greedy (or <paramref name="options"/>) continuation of the text,
    /// stopping at &lt;|end|&gt; / &lt;|endoftext|&gt;.
    /// </summary>
    public static Func<string, string> ForModel(GptModel model, ITokenizer tokenizer, GenerationOptions? options = null)
    {
        options ??= Evaluation.ModelAnswerers.DefaultOptions(tokenizer);
        return text => TextGenerator.Complete(model, tokenizer, text, options);
    }
}
