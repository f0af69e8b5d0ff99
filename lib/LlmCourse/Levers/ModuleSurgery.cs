using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// Finds and swaps submodules of any TorchSharp model by their qualified name (<c>"blocks.0.attn.qkv"</c>), the way
/// LoRA and quantization put their own layers where a <see cref="Linear"/> used to be.
/// </summary>
/// <remarks>
/// <para>
/// A TorchSharp module remembers a child twice: in its registry (what <c>named_modules()</c>, <c>parameters()</c> and
/// <c>state_dict()</c> walk) and in the C# field its <c>forward</c> reads. Swapping only the registry would change what
/// the optimizer sees but not what runs, so <see cref="Replace"/> updates both: every field of the parent (or slot of a
/// list/dictionary field, which is how <c>Sequential</c>, <c>ModuleList</c> and <c>ModuleDict</c> hold children) that
/// points at the old module gets the new one, and the registry entry is overwritten in place so the order of
/// <c>state_dict()</c> does not change.
/// </para>
/// <para>
/// TorchSharp 0.107's <see cref="Linear"/> is <c>sealed</c>: a field declared as <c>Linear</c> can never hold a LoRA or
/// quantized layer. Models that want these levers declare projections as <c>Module&lt;Tensor, Tensor&gt;</c> and
/// create them with <c>nn.Linear(...)</c>; <see cref="Replace"/> says so when it meets a field it cannot assign.
/// </para>
/// </remarks>
public static class ModuleSurgery
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly FieldInfo RegistryField =
        typeof(nn.Module).GetField("_internal_submodules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingFieldException("TorchSharp's Module no longer has _internal_submodules; ModuleSurgery needs updating for this TorchSharp version.");

    /// <summary>
    /// Every module whose qualified name matches <paramref name="pattern"/> (a .NET regular expression searched anywhere
    /// in the name; anchor it with <c>$</c> to match name endings), in <c>named_modules()</c> order. The root itself
    /// (name <c>""</c>) is never returned.
    /// </summary>
    public static IReadOnlyList<(string Name, nn.Module Module)> Matching(nn.Module root, string pattern)
    {
        Regex regex;
        try { regex = new Regex(pattern, RegexOptions.CultureInvariant); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{pattern}' is not a valid regular expression ({e.Message}). " +
                                        "Write e.g. @\"attn\\.(qkv|proj)$\" to pick layers by the end of their name.", nameof(pattern), e);
        }
        return root.named_modules().Where(nm => nm.name.Length > 0 && regex.IsMatch(nm.name)).ToList();
    }

    /// <summary>The module at a qualified name, e.g. <c>Get(model, "blocks.1.mlp.fc")</c>.</summary>
    /// <exception cref="ArgumentException">No module has that name.</exception>
    public static nn.Module Get(nn.Module root, string qualifiedName)
    {
        var module = root;
        foreach (var part in qualifiedName.Split('.'))
        {
            var next = module.named_children().FirstOrDefault(c => c.name == part).module;
            module = next ?? throw new ArgumentException(
                $"The model has no submodule '{qualifiedName}' (no child '{part}'). " +
                $"List the names with model.named_modules(); they look like: {string.Join(", ", root.named_modules().Select(n => n.name).Where(n => n.Length > 0).Take(8))}.",
                nameof(qualifiedName));
        }
        return module;
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> where the submodule <paramref name="qualifiedName"/> was: in the parent's
    /// fields (so <c>forward</c> runs it) and in its registry (so <c>parameters()</c> and <c>state_dict()</c> see it),
    /// keeping the child's name and position. Returns the module that was replaced; it is not disposed.
    /// </summary>
    /// <exception cref="InvalidOperationException">A field of the parent holds the old module but its declared type
    /// cannot hold the replacement (for example a field declared <c>Linear</c>), or no field holds it at all.</exception>
    public static nn.Module Replace(nn.Module root, string qualifiedName, nn.Module replacement)
    {
        var (parent, childName, slots) = Locate(root, qualifiedName, replacement.GetType());
        var old = Get(parent, childName);
        foreach (var slot in slots) slot.Assign(replacement);
        var registry = (TorchSharp.Utils.OrderedDict<string, nn.Module>)RegistryField.GetValue(parent)!;
        registry[childName] = replacement; // OrderedDict's indexer keeps the entry's position.
        return old;
    }

    /// <summary>
    /// Throws the error <see cref="Replace"/> would throw if a module of type <paramref name="replacementType"/> cannot
    /// take the place of <paramref name="qualifiedName"/>. Levers call it for every target before changing anything,
    /// so a failure leaves the model untouched.
    /// </summary>
    public static void EnsureReplaceable(nn.Module root, string qualifiedName, Type replacementType) =>
        Locate(root, qualifiedName, replacementType);

    private static (nn.Module Parent, string ChildName, List<Slot> Slots) Locate(nn.Module root, string qualifiedName, Type replacementType)
    {
        var cut = qualifiedName.LastIndexOf('.');
        var parent = cut < 0 ? root : Get(root, qualifiedName[..cut]);
        var childName = qualifiedName[(cut + 1)..];
        var old = Get(parent, childName);

        var slots = FindSlots(parent, old).ToList();
        if (slots.Count == 0)
            throw new InvalidOperationException(
                $"'{qualifiedName}' is registered in {parent.GetType().Name} but no field of it holds the module, so its forward " +
                "cannot be redirected. Keep submodules in fields (or a Sequential/ModuleList/ModuleDict) of the parent.");
        var blocked = slots.FirstOrDefault(s => !s.DeclaredType.IsAssignableFrom(replacementType));
        if (blocked is not null)
            throw new InvalidOperationException(
                $"{parent.GetType().Name}.{blocked.Description} is declared as {blocked.DeclaredType.Name}, which cannot hold a " +
                $"{replacementType.Name}, so '{qualifiedName}' cannot be swapped. Declare it as Module<Tensor, Tensor> (for a " +
                "projection: still created with nn.Linear(...)). TorchSharp's Linear is sealed, so nothing else fits a Linear-typed field.");
        return (parent, childName, slots);
    }

    /// <summary>One place in a parent object that holds a child module: a field, or an element of a list or dictionary field.</summary>
    private sealed record Slot(string Description, Type DeclaredType, Action<object> Set)
    {
        public void Assign(nn.Module m) => Set(m);
    }

    private static IEnumerable<Slot> FindSlots(nn.Module parent, nn.Module old)
    {
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(InstanceFields))
            {
                var value = field.GetValue(parent);
                if (ReferenceEquals(value, old))
                {
                    yield return new Slot(field.Name, field.FieldType, m => field.SetValue(parent, m));
                    continue;
                }
                switch (value)
                {
                    case IList list when list.GetType().IsGenericType:
                        var elementType = list.GetType().GetGenericArguments()[0];
                        for (var i = 0; i < list.Count; i++)
                        {
                            var index = i;
                            if (ReferenceEquals(list[i], old))
                                yield return new Slot($"{field.Name}[{i}]", elementType, m => list[index] = m);
                            else if (list[i] is ITuple { Length: 2 } pair && ReferenceEquals(pair[1], old))
                            {
                                // ModuleDict keeps (name, module) pairs: rebuild the pair around the new module.
                                var itemType = elementType.GetGenericArguments()[1];
                                yield return new Slot($"{field.Name}[{i}]", itemType, m => list[index] = Activator.CreateInstance(elementType, pair[0], m));
                            }
                        }
                        break;
                    case IDictionary dict when dict.GetType().IsGenericType:
                        var valueType = dict.GetType().GetGenericArguments()[1];
                        foreach (var key in dict.Keys.Cast<object>().ToList())
                            if (ReferenceEquals(dict[key], old))
                                yield return new Slot($"{field.Name}[{key}]", valueType, m => dict[key] = m);
                        break;
                }
            }
        }
    }
}
