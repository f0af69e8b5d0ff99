namespace LlmCourse.Tests;

public class CourseTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("off", false)]
    [InlineData("1", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("yes", true)]
    public void Quick_mode_values_parse(string? value, bool expected) => Assert.Equal(expected, Course.ParseQuickMode(value));

    [Theory]
    [InlineData("2")]
    [InlineData("quick")]
    public void Unknown_quick_mode_value_is_a_clear_error(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Course.ParseQuickMode(value));
        Assert.Contains($"LLMCOURSE_QUICK='{value}'", e.Message);
        Assert.Contains("LLMCOURSE_QUICK=1", e.Message);
    }

    [Fact]
    public void Root_is_the_folder_with_the_solution() =>
        Assert.True(File.Exists(Path.Combine(Course.Root, "LlmCourse.sln")));
}
