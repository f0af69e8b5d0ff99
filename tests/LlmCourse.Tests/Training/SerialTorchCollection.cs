namespace LlmCourse.Tests.Training;

/// <summary>
/// Tests that measure the whole process (resident memory) or depend on torch's process-wide random generator
/// (dropout during a bit-identical resume). They run alone, after the parallel tests: another test allocating or
/// drawing random numbers at the same time would change what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "serial torch";
}
