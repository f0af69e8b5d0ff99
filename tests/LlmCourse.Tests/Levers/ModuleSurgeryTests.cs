using LlmCourse.Levers;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Levers;

public class ModuleSurgeryTests
{
    /// <summary>Multiplies its input by a constant: easy to see in the output when it ran.</summary>
    private sealed class Times(double factor) : nn.Module<Tensor, Tensor>(nameof(Times))
    {
        public override Tensor forward(Tensor x) => x * factor;
    }

    [Fact]
    public void Matching_finds_modules_by_regex_on_the_qualified_name()
    {
        using var model = ToyModel.Create();
        var names = ModuleSurgery.Matching(model, @"\.(q|v)$").Select(m => m.Name).ToArray();
        Assert.Equal(["blocks.0.q", "blocks.0.v", "blocks.1.q", "blocks.1.v"], names);
        Assert.Equal(["blocks.1.mlp.fc"], ModuleSurgery.Matching(model, @"1\.mlp\.fc$").Select(m => m.Name));
    }

    [Fact]
    public void Replace_changes_what_forward_runs_and_what_the_registry_lists_keeping_the_order()
    {
        using var model = ToyModel.Create();
        var x = torch.randn(2, 3, 16);
        var keysBefore = model.state_dict().Keys.ToList();

        var old = ModuleSurgery.Replace(model, "head", new Times(0));
        Assert.IsType<TorchSharp.Modules.Linear>(old);
        Assert.Equal(0, model.forward(x).abs().max().item<float>());
        Assert.DoesNotContain("head.weight", model.state_dict().Keys);

        // Inside a ModuleList and a Sequential, the position in named_modules() stays where it was.
        var namesBefore = model.named_modules().Select(n => n.name).ToList();
        ModuleSurgery.Replace(model, "blocks.1.mlp.proj", new Times(1));
        Assert.Equal(namesBefore, model.named_modules().Select(n => n.name));
        Assert.IsType<Times>(ModuleSurgery.Get(model, "blocks.1.mlp.proj"));
        Assert.Equal(keysBefore.Where(k => !k.StartsWith("head.") && !k.StartsWith("blocks.1.mlp.proj.")), model.state_dict().Keys);
    }

    [Fact]
    public void A_typed_collection_that_cannot_hold_the_replacement_is_refused_before_anything_changes()
    {
        using var model = ToyModel.Create();
        var e = Assert.Throws<InvalidOperationException>(() => ModuleSurgery.Replace(model, "blocks.0", new Times(2)));
        Assert.Contains("ToyBlock", e.Message);
        Assert.IsType<ToyBlock>(ModuleSurgery.Get(model, "blocks.0"));
    }

    [Fact]
    public void Replace_in_a_sequential_runs_the_new_module()
    {
        var seq = nn.Sequential(("a", nn.Linear(3, 3)), ("b", nn.ReLU()));
        ModuleSurgery.Replace(seq, "a", new Times(-1));
        var x = torch.ones(1, 3);
        Assert.Equal(0, seq.forward(x).abs().sum().item<float>()); // relu(-1) = 0: the swapped module ran
        Assert.Equal(1, ModuleSurgery.Replace(seq, "a", new Times(1)) is Times ? 1 : 0);
        Assert.Equal(3, seq.forward(x).sum().item<float>());
    }

    [Fact]
    public void A_field_declared_Linear_gives_an_error_naming_the_fix()
    {
        using var model = new LinearTypedField();
        var e = Assert.Throws<InvalidOperationException>(() => ModuleSurgery.Replace(model, "proj", new Times(1)));
        Assert.Contains("Module<Tensor, Tensor>", e.Message);
        Assert.Contains("sealed", e.Message);
    }

    [Fact]
    public void Unknown_names_and_bad_patterns_give_clear_errors()
    {
        using var model = ToyModel.Create();
        var e = Assert.Throws<ArgumentException>(() => ModuleSurgery.Get(model, "blocks.0.nope"));
        Assert.Contains("named_modules", e.Message);
        Assert.Throws<ArgumentException>(() => ModuleSurgery.Matching(model, "(unclosed"));
    }
}
