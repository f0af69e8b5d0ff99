using LlmCourse.Training;

namespace LlmCourse.Tests.Training;

public class BatchingTests
{
    private static readonly int[] Stream = Enumerable.Range(0, 500).Select(i => (i * 7) % 97).ToArray();

    [Fact]
    public void TargetIsTheInputShiftedByOneWindowOfTheStream()
    {
        var distinct = Enumerable.Range(1000, 300).ToArray(); // every value once, so a window's position is its first value
        using var batches = new TokenBatches(distinct, contextLength: 8, batchSize: 5, seed: 1);
        var (input, target) = batches.Next();
        using (input)
        using (target)
        {
            Assert.Equal([5L, 8L], input.shape);
            var x = input.data<long>().ToArray();
            var y = target.data<long>().ToArray();
            for (var row = 0; row < 5; row++)
            {
                var start = (int)x[row * 8] - 1000;
                Assert.InRange(start, 0, distinct.Length - 9);
                Assert.Equal(distinct.Skip(start).Take(8).Select(v => (long)v), x.Skip(row * 8).Take(8));
                Assert.Equal(distinct.Skip(start + 1).Take(8).Select(v => (long)v), y.Skip(row * 8).Take(8));
            }
        }
    }

    [Fact]
    public void SameSeedSameBatchesAndTheStateResumesThem()
    {
        using var a = new TokenBatches(Stream, 8, 4, seed: 9);
        using var b = new TokenBatches(Stream, 8, 4, seed: 9);
        a.Next().Input.Dispose();
        b.Next().Input.Dispose();
        var saved = a.Random.State;
        var expected = a.Next().Input.data<long>().ToArray();

        using var resumed = new TokenBatches(Stream, 8, 4, seed: 12345);
        resumed.Random.State = saved;
        Assert.Equal(expected, resumed.Next().Input.data<long>().ToArray());
        Assert.Equal(expected, b.Next().Input.data<long>().ToArray());
    }

    [Fact]
    public void EveryWindowCanBeDrawnAndNoneRunsPastTheEnd()
    {
        var random = new SeededRandom(3);
        var seen = new int[10];
        for (var i = 0; i < 10_000; i++)
            seen[random.NextLong(10)]++;
        Assert.All(seen, count => Assert.InRange(count, 850, 1150));
        Assert.Throws<ArgumentException>(() => new TokenBatches(Stream[..8], contextLength: 8, batchSize: 1, seed: 0));
    }
}
