using System.Text.RegularExpressions;

namespace LlmCourse.Scaffolding;

/// <summary>What running a tool call gave: the text fed back to the model, and whether the tool succeeded.</summary>
/// <param name="Call">The call that ran.</param>
/// <param name="Text">The result (e.g. "84"), or an error text starting with "error:" that the model reads instead.</param>
/// <param name="Succeeded">False for a malformed call or a tool that failed.</param>
public sealed record ToolResult(ToolCall Call, string Text, bool Succeeded);

/// <summary>
/// The tools a <see cref="ToolLoop"/> offers the model, by name. Running a call never throws: a malformed call, an
/// unknown tool or a tool that fails gives an <c>error: …</c> text, which goes back to the model like any result,
/// because one bad call from a model must not end the conversation.
/// </summary>
public sealed partial class ToolBox
{
    private readonly Dictionary<string, (string Description, Func<string, string> Run)> tools = new(StringComparer.Ordinal);

    /// <summary>The registered tool names.</summary>
    public IReadOnlyCollection<string> Names => tools.Keys;

    /// <summary>A tool box holding the calculator as <c>calc</c>.</summary>
    public static ToolBox WithCalculator() => new ToolBox().Register("calc", "arithmetic, e.g. calc(12*7)", Calculator.Run);

    /// <summary>Adds a tool; returns this box (to chain registrations).</summary>
    /// <param name="name">Lower-case letters, digits and underscores, starting with a letter, e.g. "lookup".</param>
    /// <param name="description">What it does and an example call, for a system prompt.</param>
    /// <param name="run">Argument text → result text. It may throw; <see cref="Run"/> turns that into an error text.</param>
    /// <exception cref="ArgumentException">The name is not a valid tool name or is taken.</exception>
    public ToolBox Register(string name, string description, Func<string, string> run)
    {
        if (!ValidName().IsMatch(name ?? ""))
            throw new ArgumentException($"Tool name '{name}' is not allowed: use lower-case letters, digits and '_', starting with a letter (e.g. \"calc\").", nameof(name));
        if (!tools.TryAdd(name!, (description, run)))
            throw new ArgumentException($"A tool named '{name}' is already registered: pick another name.", nameof(name));
        return this;
    }

    /// <summary>One line per tool, "name: description", for a system prompt.</summary>
    public string Describe() => string.Join("\n", tools.Select(t => $"{t.Key}: {t.Value.Description}"));

    /// <summary>The first call to a registered tool in <paramref name="text"/>, or null.</summary>
    public ToolCall? FindCall(string text) => ToolCall.FindFirst(text, tools.Keys);

    /// <summary>Runs a call; never throws (see the class remarks).</summary>
    public ToolResult Run(ToolCall call)
    {
        if (!tools.TryGetValue(call.Name, out var tool))
            return new ToolResult(call, $"error: there is no tool '{call.Name}'; the tools are {string.Join(", ", tools.Keys)}.", false);
        if (!call.Closed)
            return new ToolResult(call, $"error: the call '{call.Text}' has no closing parenthesis; write {call.Name}(...) on one line.", false);
        try
        {
            return new ToolResult(call, tool.Run(call.Argument), true);
        }
        catch (Exception e)
        {
            return new ToolResult(call, $"error: {call.Name} failed on '{call.Argument}': {e.Message}", false);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex ValidName();
}
