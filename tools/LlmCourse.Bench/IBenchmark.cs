namespace LlmCourse.Bench;

/// <summary>
/// One benchmark of the course. Benchmarks print numbers; they never assert. Any class implementing this
/// interface is found by reflection, so adding a benchmark is adding a file.
/// </summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line: <c>dotnet run -c Release --project tools/LlmCourse.Bench -- NAME</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark and prints its numbers to standard output.</summary>
    void Run(string[] args);
}
