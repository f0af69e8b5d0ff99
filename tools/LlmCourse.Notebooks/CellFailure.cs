namespace LlmCourse.Notebooks;

/// <summary>A cell that failed when a notebook ran.</summary>
/// <param name="Number">1-based position among all cells, as editors and dotnet-repl count.</param>
/// <param name="Id">The cell's id in the source notebook, when known.</param>
/// <param name="FirstLine">The first non-blank line of the cell's source.</param>
/// <param name="Error">What went wrong (the kernel's error text, or the runner's own finding).</param>
public sealed record CellFailure(int Number, string? Id, string FirstLine, string Error)
{
    /// <summary>Where the failure is, e.g. <c>cell 3 (id 'sample'): var x = …</c>.</summary>
    public string Where => $"cell {Number}{(Id is null ? "" : $" (id '{Id}')")}: {FirstLine}";
}
