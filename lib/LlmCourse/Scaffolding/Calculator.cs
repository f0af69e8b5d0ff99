using System.Globalization;

namespace LlmCourse.Scaffolding;

/// <summary>
/// The calculator tool: evaluates an arithmetic expression such as <c>12*7</c> or <c>(3 + 4.5) / 2</c>. Numbers,
/// <c>+ - * /</c> (also <c>×</c> and <c>÷</c>), parentheses and a leading minus; nothing else, so a model's call can
/// never run code. A recursive-descent parser: expression = term (± term)*, term = factor (×÷ factor)*,
/// factor = number | −factor | (expression).
/// </summary>
public static class Calculator
{
    /// <summary>The longest expression accepted (a model that loops writes very long calls).</summary>
    public const int MaxLength = 200;

    /// <summary>Evaluates <paramref name="expression"/>.</summary>
    /// <exception cref="FormatException">The expression is empty, too long, or not arithmetic; the message points at the problem.</exception>
    /// <exception cref="DivideByZeroException">It divides by zero.</exception>
    public static double Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (string.IsNullOrWhiteSpace(expression))
            throw new FormatException("The expression is empty: write numbers and operators, e.g. calc(12*7).");
        if (expression.Length > MaxLength)
            throw new FormatException($"The expression has {expression.Length} characters; the calculator reads at most {MaxLength}.");
        var parser = new Parser(expression);
        var value = parser.Expression();
        parser.SkipSpaces();
        if (!parser.AtEnd)
            throw parser.Error("expected an operator (+ - * /) or the end");
        return value;
    }

    /// <summary>Evaluates and formats the result: whole numbers without a decimal point ("84"), others with up to 10 significant digits.</summary>
    /// <inheritdoc cref="Evaluate" path="/exception"/>
    public static string Run(string expression)
    {
        var value = Evaluate(expression);
        return value == Math.Round(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("G10", CultureInfo.InvariantCulture);
    }

    private sealed class Parser(string text)
    {
        private int position;

        public bool AtEnd => position >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[position]))
                position++;
        }

        public FormatException Error(string what) =>
            new($"Cannot read '{text}' at character {position + 1} ('{(AtEnd ? "end" : text[position].ToString())}'): {what}. Example of a valid call: calc(12*7).");

        private bool Accept(params char[] symbols)
        {
            SkipSpaces();
            if (AtEnd || Array.IndexOf(symbols, text[position]) < 0)
                return false;
            return true;
        }

        public double Expression()
        {
            var value = Term();
            while (Accept('+', '-'))
            {
                var op = text[position++];
                var right = Term();
                value = op == '+' ? value + right : value - right;
            }
            return value;
        }

        private double Term()
        {
            var value = Factor();
            while (Accept('*', '/', '×', '÷'))
            {
                var op = text[position++];
                var right = Factor();
                if (op is '/' or '÷')
                {
                    if (right == 0)
                        throw new DivideByZeroException($"'{text}' divides by zero, which has no value.");
                    value /= right;
                }
                else
                    value *= right;
            }
            return value;
        }

        private double Factor()
        {
            SkipSpaces();
            if (AtEnd)
                throw Error("expected a number");
            if (text[position] == '-')
            {
                position++;
                return -Factor();
            }
            if (text[position] == '(')
            {
                position++;
                var inner = Expression();
                if (!Accept(')'))
                    throw Error("expected ')'");
                position++;
                return inner;
            }
            var start = position;
            while (!AtEnd && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
                position++;
            if (start == position)
                throw Error("expected a number");
            if (!double.TryParse(text.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                position = start;
                throw Error("this is not a number");
            }
            return number;
        }
    }
}
