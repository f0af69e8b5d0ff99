using LlmCourse.Scaffolding;

namespace LlmCourse.Tests.Scaffolding;

public class ToolLoopTests
{
    /// <summary>A stand-in model: returns its lines in order and records every text it was asked to continue.</summary>
    private sealed class Script(params string[] lines)
    {
        private int next;
        public List<string> Seen { get; } = [];

        public string Continue(string text)
        {
            Seen.Add(text);
            return next < lines.Length ? lines[next++] : "";
        }
    }

    [Fact]
    public void The_loop_runs_the_call_appends_the_result_and_lets_the_model_continue()
    {
        var script = new Script("Let me see: calc(12*7) = 80, I think", "So it is 84.");
        var loop = new ToolLoop(ToolBox.WithCalculator(), script.Continue);

        var result = loop.Run("Q: what is 12 times 7?\nA: ");

        // The model's imagined "= 80" is cut; the tool's answer is written in its place, and the model continues after it.
        Assert.Equal("Let me see: calc(12*7) → 84\nSo it is 84.", result.Reply);
        Assert.Equal("So it is 84.", result.Answer);
        Assert.Equal("Q: what is 12 times 7?\nA: Let me see: calc(12*7) → 84\n", script.Seen[1]);
        var call = Assert.Single(result.Results);
        Assert.True(call.Succeeded);
        Assert.Equal("84", call.Text);
        Assert.Equal(2, result.Continuations);
    }

    [Fact]
    public void Without_a_call_the_reply_is_the_model_text()
    {
        var script = new Script("Eighty-four.");
        var result = new ToolLoop(ToolBox.WithCalculator(), script.Continue).Run("Q: ");
        Assert.Equal("Eighty-four.", result.Reply);
        Assert.Equal(result.Reply, result.Answer);
        Assert.Empty(result.Results);
        Assert.Equal(1, result.Continuations);
    }

    [Theory]
    [InlineData("calc(12*)", "expected a number")]
    [InlineData("calc(12*7", "no closing parenthesis")]
    [InlineData("calc(1/0)", "divides by zero")]
    public void A_malformed_call_feeds_an_error_back_instead_of_ending_the_loop(string call, string hint)
    {
        var script = new Script(call, "Sorry.");
        var result = new ToolLoop(ToolBox.WithCalculator(), script.Continue).Run("Q: ");

        var failed = Assert.Single(result.Results);
        Assert.False(failed.Succeeded);
        Assert.StartsWith("error:", failed.Text);
        Assert.Contains(hint, failed.Text);
        Assert.Contains(" → error:", script.Seen[1]); // the model reads the error
        Assert.Equal("Sorry.", result.Answer);
    }

    [Fact]
    public void Calls_past_the_limit_stay_plain_text()
    {
        var script = new Script("calc(1+1)", "and calc(2+2)");
        var result = new ToolLoop(ToolBox.WithCalculator(), script.Continue, maxCalls: 1).Run("");
        Assert.Single(result.Results);
        Assert.EndsWith("and calc(2+2)", result.Reply);
    }

    [Fact]
    public void A_tool_that_throws_becomes_an_error_text()
    {
        var tools = new ToolBox().Register("lookup", "finds a passage", _ => throw new InvalidOperationException("index missing"));
        var result = new ToolLoop(tools, new Script("lookup(Darcy)", "").Continue).Run("");
        Assert.Contains("index missing", result.Results[0].Text);
        Assert.False(result.Results[0].Succeeded);
    }

    [Fact]
    public void The_first_call_is_found_among_several_tools_and_nested_parentheses_are_kept()
    {
        var tools = ToolBox.WithCalculator().Register("lookup", "finds a passage", q => q);
        var call = tools.FindCall("say lookup(Mr. Darcy) then calc((2+3)*4)");
        Assert.Equal(("lookup", "Mr. Darcy", true), (call!.Name, call.Argument, call.Closed));
        var nested = tools.FindCall("recalc(1) calc((2+3)*4) lookup(x)");
        Assert.Equal("(2+3)*4", nested!.Argument); // "recalc(" is a word, not a call
        Assert.Null(tools.FindCall("calculate the sum (12*7)"));
    }

    [Theory]
    [InlineData("Calc")]
    [InlineData("my tool")]
    [InlineData("")]
    public void Bad_tool_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new ToolBox().Register(name, "x", s => s));

    [Fact]
    public void A_name_cannot_be_registered_twice() =>
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => ToolBox.WithCalculator().Register("calc", "x", s => s)).Message);
}
