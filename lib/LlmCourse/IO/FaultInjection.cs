namespace LlmCourse.IO;

/// <summary>
/// Named points inside multi-step writes where a test can make the write fail, to prove that an interrupted write
/// (a crash, a killed kernel) leaves the previous file or checkpoint intact. Does nothing unless a test sets a hook.
/// </summary>
internal static class FaultInjection
{
    /// <summary>Called at every point with its name; a test throws from it to simulate a crash there. Per thread.</summary>
    [ThreadStatic]
    internal static Action<string>? Hook;

    internal static void Point(string name) => Hook?.Invoke(name);
}
