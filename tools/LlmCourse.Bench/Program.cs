using System.Reflection;
using LlmCourse.Bench;

// Benchmarks print numbers (medians of alternated runs where a peer exists); they are not timed tests.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.WriteLine("usage: dotnet run -c Release --project tools/LlmCourse.Bench -- <benchmark> [args]");
    foreach (var b in benchmarks)
        Console.WriteLine($"  {b.Name,-20} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}

benchmarks.Single(b => b.Name == args[0]).Run(args[1..]);
return 0;
