using LlmCourse.Scaffolding;

namespace LlmCourse.Tests.Scaffolding;

public class CalculatorTests
{
    [Theory]
    [InlineData("12*7", "84")]
    [InlineData("2 + 3 * 4", "14")]
    [InlineData("(2 + 3) * 4", "20")]
    [InlineData("7/2", "3.5")]
    [InlineData("-3 * -(2 - 5)", "-9")]
    [InlineData("10 - 2 - 3", "5")]
    [InlineData("12 × 7 ÷ 4", "21")]
    public void Evaluates_arithmetic_with_the_usual_precedence(string expression, string expected) =>
        Assert.Equal(expected, Calculator.Run(expression));

    [Theory]
    [InlineData("12*", "expected a number")]
    [InlineData("2+x", "expected a number")]
    [InlineData("(2+3", "expected ')'")]
    [InlineData("2 3", "expected an operator")]
    [InlineData("  ", "empty")]
    public void Bad_expressions_throw_a_message_that_points_at_the_problem(string expression, string hint)
    {
        var e = Assert.Throws<FormatException>(() => Calculator.Evaluate(expression));
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void Division_by_zero_is_an_error_not_infinity() =>
        Assert.Throws<DivideByZeroException>(() => Calculator.Evaluate("1/(2-2)"));

    [Fact]
    public void Very_long_expressions_are_refused() =>
        Assert.Contains("at most", Assert.Throws<FormatException>(() => Calculator.Evaluate(string.Join("+", Enumerable.Repeat("1", 150)))).Message);
}
