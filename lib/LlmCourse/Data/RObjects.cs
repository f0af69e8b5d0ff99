namespace LlmCourse.Data;

/// <summary>
/// A value read from R's serialization format. Only the types a data package needs are modelled: vectors
/// (character, integer, logical, double, list), symbols, pairlists and NULL. Attributes such as <c>names</c> ride along.
/// </summary>
public abstract record RObject
{
    /// <summary>The object's attributes by name (for example <c>names</c>, <c>class</c>); empty when it has none.</summary>
    public IReadOnlyDictionary<string, RObject> Attributes { get; init; } = new Dictionary<string, RObject>();

    /// <summary>The <c>names</c> attribute as strings, or null when the object has no names.</summary>
    public string?[]? Names => Attributes.TryGetValue("names", out var names) && names is RCharacter c ? c.Values : null;
}

/// <summary>R's <c>NULL</c>.</summary>
public sealed record RNull : RObject
{
    /// <summary>The one NULL value.</summary>
    public static RNull Instance { get; } = new();
}

/// <summary>A character vector; <c>NA</c> elements are null.</summary>
/// <param name="Values">The strings, one per element.</param>
public sealed record RCharacter(string?[] Values) : RObject;

/// <summary>An integer vector; <c>NA</c> elements are null.</summary>
/// <param name="Values">The integers, one per element.</param>
public sealed record RInteger(int?[] Values) : RObject;

/// <summary>A logical vector; <c>NA</c> elements are null.</summary>
/// <param name="Values">The booleans, one per element.</param>
public sealed record RLogical(bool?[] Values) : RObject;

/// <summary>A double vector (R's <c>numeric</c>); <c>NA</c> is a NaN.</summary>
/// <param name="Values">The doubles, one per element.</param>
public sealed record RDouble(double[] Values) : RObject;

/// <summary>A generic vector (R's <c>list</c>).</summary>
/// <param name="Items">The elements, in order.</param>
public sealed record RList(RObject[] Items) : RObject
{
    /// <summary>The element whose name is <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No element has that name; the message lists the names there are.</exception>
    public RObject this[string name]
    {
        get
        {
            var names = Names ?? [];
            var index = Array.IndexOf(names, name);
            if (index < 0)
                throw new KeyNotFoundException(
                    $"The R list has no element named '{name}'. Its names are: {string.Join(", ", names)}.");
            return Items[index];
        }
    }
}

/// <summary>An R symbol (a name, as used for attribute tags).</summary>
/// <param name="Name">The symbol's text.</param>
public sealed record RSymbol(string Name) : RObject;

/// <summary>A pairlist: R's linked list of (tag, value) cells, which the format uses for attributes.</summary>
/// <param name="Cells">The cells in order; a cell's tag is null when it has none.</param>
public sealed record RPairList(IReadOnlyList<(string? Tag, RObject Value)> Cells) : RObject;
