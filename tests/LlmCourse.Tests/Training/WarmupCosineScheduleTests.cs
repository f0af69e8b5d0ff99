using LlmCourse.Training;

namespace LlmCourse.Tests.Training;

public class WarmupCosineScheduleTests
{
    private static readonly WarmupCosineSchedule Schedule = new(MaxLearningRate: 1e-3, MinLearningRate: 1e-4, WarmupSteps: 10, TotalSteps: 110);

    [Theory]
    [InlineData(0, 1e-4)]          // 1/10 of the peak: warmup starts above 0
    [InlineData(4, 5e-4)]
    [InlineData(9, 1e-3)]          // warmup ends at the peak
    [InlineData(10, 1e-3)]         // cosine starts at the peak
    [InlineData(60, 5.5e-4)]       // halfway down: min + (max - min) / 2
    [InlineData(35, 1e-4 + 0.9e-3 * 0.8535533905932737)] // a quarter: (1 + cos(pi/4)) / 2
    [InlineData(110, 1e-4)]        // the floor at TotalSteps
    [InlineData(1000, 1e-4)]       // and after
    public void ValuesAtKnownSteps(int step, double expected) => Assert.Equal(expected, Schedule.At(step), 12);

    [Fact]
    public void DecayNeverRisesAfterWarmup()
    {
        for (var step = 10; step < 120; step++)
            Assert.True(Schedule.At(step + 1) <= Schedule.At(step));
    }

    [Fact]
    public void NoWarmupStartsAtThePeak() => Assert.Equal(1e-3, (Schedule with { WarmupSteps = 0 }).At(0), 12);

    [Fact]
    public void InconsistentNumbersAreRejected()
    {
        Assert.Throws<ArgumentException>(() => (Schedule with { MinLearningRate = 2e-3 }).Validate());
        Assert.Throws<ArgumentException>(() => (Schedule with { WarmupSteps = 200 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.At(-1));
    }
}
