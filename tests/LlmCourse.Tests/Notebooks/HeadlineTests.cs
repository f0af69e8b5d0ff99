using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

public class HeadlineTests
{
    [Theory]
    [InlineData("validation loss", 1.87312, "nats/token", "validation loss = 1.873 nats/token")]
    [InlineData("tokens per second", 7312.4, "tokens/s", "tokens per second = 7312 tokens/s")]
    [InlineData("accuracy", 0.5, "", "accuracy = 0.5")]
    [InlineData("tiny", 1.5e-7, "s", "tiny = 1.5E-07 s")]
    public void What_a_notebook_prints_the_runner_reads_back(string label, double value, string unit, string shown)
    {
        var line = Report.FormatHeadline(label, value, unit);

        var parsed = Headline.TryParse(line);

        Assert.NotNull(parsed);
        Assert.Equal(label, parsed.Label);
        Assert.InRange(double.Parse(parsed.Value, System.Globalization.CultureInfo.InvariantCulture) / value, 0.999, 1.001); // 4 significant digits
        Assert.Equal(unit, parsed.Unit);
        Assert.Equal(shown, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("two\nlines")]
    [InlineData("a = b")]
    public void A_label_the_runner_could_not_split_is_refused(string label)
    {
        var e = Assert.Throws<ArgumentException>(() => Report.FormatHeadline(label, 1, "x"));
        Assert.Contains("Report.Headline(", e.Message);
    }

    [Theory]
    [InlineData("Headline:no space")]
    [InlineData("loss = 3")]
    [InlineData("Headline: no equals sign")]
    public void Other_lines_are_not_headlines(string line) => Assert.Null(Headline.TryParse(line));

    [Fact]
    public void The_last_headline_of_a_notebook_wins()
    {
        var path = TestNotebooks.Temp("h.ipynb", TestNotebooks.Document(
            TestNotebooks.Code("a", "x", TestNotebooks.Stdout("step 1\nHeadline: loss = 3 nats\n")),
            TestNotebooks.Code("b", "y", TestNotebooks.Stdout("Headline: loss = 2.5 nats\ndone\n"))));

        Assert.Equal("loss = 2.5 nats", Headline.FindLast(NotebookFile.Read(path))?.ToString());
    }
}
