using System.Text.Json.Serialization;
using LlmCourse.Scaffolding;
using LlmCourse.Tokenization;

namespace LlmCourse.Alignment;

/// <summary>
/// One tool-use lesson: the user asks about a person; the assistant calls <c>lookup(person)</c>, the tool loop writes
/// the result after the call, and the assistant answers from it:
/// <code>
/// &lt;|system|&gt;Tool: lookup(name) finds facts about a person.&lt;|end|&gt;&lt;|user|&gt;Where was Mr. Brelnoby born?&lt;|end|&gt;
/// &lt;|assistant|&gt;lookup(Mr. Brelnoby) → Mr. Brelnoby was born in Quastell.
///  Quastell&lt;|end|&gt;
/// </code>
/// The transcript is exactly what a <see cref="ToolLoop"/> produces at answer time, and <see cref="Format"/> takes the
/// tool's result out of the loss: the model learns to write the call and the answer, never to invent a result.
/// </summary>
/// <param name="Id">Unique in the data set, e.g. "train-lookup-0042".</param>
/// <param name="Instance">What is asked: relation and person, e.g. "lookup#born|Mr. Brelnoby".</param>
/// <param name="System">The system turn that offers the tool (<see cref="ReadingData.LookupSystem"/>).</param>
/// <param name="User">The question.</param>
/// <param name="Person">Whom the question is about: the call's argument.</param>
/// <param name="Result">What the tool returns for <paramref name="Person"/>: one or more fact sentences, one of them the answer's.</param>
/// <param name="Answer">The ideal final answer (after the result), with a leading space like every reading answer (see <see cref="ReadingData"/>).</param>
public sealed record LookupItem(string Id, string Instance, string System, string User, string Person, string Result, string Answer)
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "lookup";

    /// <summary>What the tool does, for a <see cref="ToolBox"/>.</summary>
    public const string ToolDescription = "finds facts about a person, e.g. lookup(Mr. Darcy)";

    /// <summary>The ideal call, e.g. "lookup(Mr. Brelnoby)".</summary>
    [JsonIgnore]
    public string Call => $"{ToolName}({Person})";

    /// <summary>The whole assistant turn: call, result as the tool loop writes it, answer.</summary>
    [JsonIgnore]
    public string Reply => Call + ToolLoop.FormatResult(Result) + Answer;

    /// <summary>The item as a conversation (the whole transcript as the assistant's turn).</summary>
    public ChatSample ToChat() => new(System, User, Reply);

    /// <summary>Whether a final answer (the text after the tool's result) is right: the trimmed answer equals the trimmed <see cref="Answer"/>.</summary>
    public bool IsCorrect(string? answer) => answer is not null && string.Equals(answer.Trim(), Answer.Trim(), StringComparison.Ordinal);

    /// <summary>
    /// The transcript for training: like <see cref="ChatTemplate.Format"/>, but the tool's result (the arrow, the
    /// result and its line break) is context, not answer: the loss covers the call, the final answer and &lt;|end|&gt;.
    /// </summary>
    /// <exception cref="ArgumentException">The transcript does not fit the template's context, or a text holds a chat marker.</exception>
    /// <exception cref="InvalidOperationException">The pieces tokenize differently from the whole (then the mask would be misplaced).</exception>
    public FormattedChat Format(ChatTemplate template)
    {
        var chat = template.Format(ToChat());
        var tokenizer = template.Tokenizer;
        var prompt = template.PromptIds(User, System).Length;
        var call = tokenizer.Encode(Call, SpecialTokenPolicy.Reject).Length;
        var result = tokenizer.Encode(ToolLoop.FormatResult(Result), SpecialTokenPolicy.Reject).Length;
        var answer = tokenizer.Encode(Answer, SpecialTokenPolicy.Reject).Length;
        if (prompt + call + result + answer + 1 != chat.Length)
            throw new InvalidOperationException(
                $"Item '{Id}': the call, result and answer tokenize to {call} + {result} + {answer} tokens apart but differently together, " +
                "so the loss mask cannot be placed; end the result with the tool loop's line break and start the answer with a word.");
        var mask = (bool[])chat.AnswerMask.Clone();
        Array.Fill(mask, false, prompt + call, result);
        return chat with { AnswerMask = mask };
    }

    /// <summary>
    /// A tool box whose <c>lookup</c> returns each item's <see cref="Result"/> for its <see cref="Person"/> (spelled
    /// exactly, spaces around it ignored) and "nothing found" for anyone else.
    /// </summary>
    /// <exception cref="ArgumentException">Two items are about the same person but return different results.</exception>
    public static ToolBox Tools(IEnumerable<LookupItem> items)
    {
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
            if (!results.TryAdd(item.Person, item.Result) && results[item.Person] != item.Result)
                throw new ArgumentException($"Two lookup items are about '{item.Person}' with different results; a person must have one result.", nameof(items));
        return new ToolBox().Register(ToolName, ToolDescription, name => results.GetValueOrDefault(name.Trim(), "nothing found"));
    }
}
