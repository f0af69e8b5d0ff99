using LlmCourse.Model;
using TorchSharp;

namespace LlmCourse.Tests.Model;

/// <summary>Counts live tensors, so it must not share the process with tests creating tensors in parallel.</summary>
[CollectionDefinition(nameof(TensorLeakTests), DisableParallelization = true)]
public class TensorLeakCollection;

[Collection(nameof(TensorLeakTests))]
public class TensorLeakTests
{
    // Two counters: TorchSharp's per-thread statistics (created − disposed, read before any collection, so a tensor
    // left to the finalizer counts as live) and the process-wide count of tensor objects that are still referenced
    // (read after a full collection, so orphans from other tests do not blur it). Neither may grow.
    private static (long Thread, long Process) Live()
    {
        var thread = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (thread, torch.Tensor.TotalCount);
    }

    [Theory]
    [InlineData(AttentionKernel.Sdpa, 0)]
    [InlineData(AttentionKernel.Explicit, 0)]
    [InlineData(AttentionKernel.Sdpa, 4)]
    public void No_tensor_leaks_over_200_forward_backward_passes(AttentionKernel kernel, int experts)
    {
        using var model = new GptModel(GptConfig.Tiny(50) with { Attention = kernel, Experts = experts });
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3);
        using var ids = ModelTestData.Ids(50, batch: 2, time: 16);
        using var targets = ids.roll(-1, 1);
        void Step()
        {
            // zero_grad wraps each gradient in a new tensor object; in a training loop the step's scope frees them.
            using (torch.NewDisposeScope())
                optimizer.zero_grad();
            // The model's own forward and backward run outside any scope here: whatever it forgot would stay live.
            using var loss = model.Loss(ids, targets);
            loss.backward();
            optimizer.step();
        }
        for (var i = 0; i < 3; i++)
            Step(); // gradients and optimizer state appear in the first steps
        var before = Live();
        for (var i = 0; i < 200; i++)
            Step();
        Assert.Equal(before, Live());
    }

    [Fact]
    public void No_tensor_leaks_over_cached_generation_with_recording()
    {
        using var model = new GptModel(GptConfig.Tiny(50));
        using var prompt = ModelTestData.Ids(50, batch: 1, time: 4);
        using var cache = model.CreateCache();
        using var trace = new ForwardTrace { Attention = true, ResidualStream = true };
        void Generate()
        {
            cache.Reset();
            using (model.Run(prompt, cache, trace)) { }
            using var next = torch.zeros([1, 1], dtype: torch.int64);
            for (var t = 0; t < 10; t++)
                using (model.Run(next, cache, lastPositionOnly: true)) { }
        }
        Generate();
        var before = Live();
        for (var i = 0; i < 20; i++)
            Generate();
        Assert.Equal(before, Live());
    }
}
