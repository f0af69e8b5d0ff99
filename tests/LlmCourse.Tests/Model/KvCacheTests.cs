using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class KvCacheTests
{
    private static Tensor Step(int position, int tokens = 1) =>
        torch.arange(position, position + tokens, dtype: ScalarType.Float32).reshape(1, 1, tokens, 1).expand(2, 3, tokens, 4).contiguous();

    [Fact]
    public void Appends_grow_past_the_initial_capacity_and_return_the_whole_history_in_order()
    {
        using var cache = new KvCache(layers: 1, initialCapacity: 2);
        using (torch.no_grad())
        {
            var first = cache.Append(0, Step(0, 3), Step(0, 3));
            Assert.Equal(3, first.Keys.shape[2]);
            for (var p = 3; p < 9; p++)
                cache.Append(0, Step(p), Step(p));
            var all = cache.Append(0, Step(9), Step(9));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), all.Keys[0, 0, .., 0].data<float>().ToArray());
            Assert.Equal(0, all.FirstPosition);
        }
        Assert.Equal(10, cache.Length);
        Assert.Equal(2L * 2 * 3 * 10 * 4 * 4, cache.BytesInUse);
        Assert.True(cache.BytesAllocated >= cache.BytesInUse);
    }

    [Fact]
    public void A_window_keeps_only_the_last_entries_and_reports_where_they_start()
    {
        using var cache = new KvCache(layers: 1, initialCapacity: 4, window: 3);
        using (torch.no_grad())
        {
            cache.Append(0, Step(0, 5), Step(0, 5));
            Assert.Equal(3, cache.StoredLength);
            for (var p = 5; p < 20; p++)
            {
                var seen = cache.Append(0, Step(p), Step(p));
                Assert.Equal(p - 3, seen.FirstPosition);
                Assert.Equal(new float[] { p - 3, p - 2, p - 1, p }, seen.Keys[0, 0, .., 0].data<float>().ToArray());
                Assert.Equal(3, cache.StoredLength);
            }
        }
        Assert.Equal(20, cache.Length);
        Assert.Equal(2L * 2 * 3 * 3 * 4 * 4, cache.BytesInUse); // bounded by the window
    }

    [Fact]
    public void Bad_arguments_are_explained()
    {
        Assert.Contains("Config.Layers", Assert.Throws<ArgumentOutOfRangeException>(() => new KvCache(0)).Message);
        Assert.Contains("null for full attention", Assert.Throws<ArgumentOutOfRangeException>(() => new KvCache(2, window: 0)).Message);
        using var cache = new KvCache(2);
        Assert.Contains("0..1", Assert.Throws<ArgumentOutOfRangeException>(() => cache.Append(2, Step(0), Step(0))).Message);
    }
}
