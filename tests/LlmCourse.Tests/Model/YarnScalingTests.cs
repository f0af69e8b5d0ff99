using LlmCourse.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Model;

public class YarnScalingTests
{
    private const int HeadDim = 32, Trained = 128;

    [Fact]
    public void Fast_pairs_keep_their_angles_slow_pairs_are_interpolated_and_the_ones_between_are_blended()
    {
        using var plain = new Rope(HeadDim);
        using var yarn = new Rope(HeadDim, scaling: RopeScaling.Yarn(4, Trained, alpha: 1, beta: 8));
        var before = plain.InverseFrequencies();
        var after = yarn.InverseFrequencies();
        var turns = before.Select(f => Trained * f / (2 * Math.PI)).ToArray();
        var (fast, slow, between) = (0, 0, 0);
        for (var pair = 0; pair < before.Length; pair++)
        {
            if (turns[pair] >= 8)
            {
                fast++;
                Assert.Equal(before[pair], after[pair]); // untouched, bit for bit
                Assert.Equal(plain.Angle(77, pair), yarn.Angle(77, pair), 1e-12);
            }
            else if (turns[pair] <= 1)
            {
                slow++;
                // Linear interpolation on these pairs: position p·s gets the trained angle of p.
                foreach (var p in new[] { 3, 50, 127 })
                    Assert.Equal(plain.Angle(p, pair), yarn.Angle(p * 4, pair), 1e-9);
            }
            else
            {
                between++;
                Assert.InRange(after[pair], before[pair] / 4, before[pair]);
                Assert.True(after[pair] < before[pair] && after[pair] > before[pair] / 4);
            }
        }
        Assert.True(fast > 0 && slow > 0 && between > 0, $"the test needs pairs of every kind (fast {fast}, slow {slow}, between {between})");
        // The ramp is monotone: slower pairs are interpolated more.
        var multipliers = after.Zip(before, (a, b) => a / b).ToArray();
        for (var pair = 1; pair < multipliers.Length; pair++)
            Assert.True(multipliers[pair] <= multipliers[pair - 1] + 1e-15);
    }

    [Fact]
    public void The_temperature_scales_queries_and_keys_by_one_tenth_ln_s_plus_one()
    {
        using var rope = new Rope(HeadDim, scaling: RopeScaling.Yarn(4, Trained));
        Assert.Equal(0.1 * Math.Log(4) + 1, rope.Magnitude, 1e-12);
        using var generator = new Generator(3);
        using var x = torch.randn([2, 5, HeadDim], generator: generator);
        using var rotated = rope.Apply(x, offset: 40);
        Assert.True(torch.allclose(rotated.norm(-1), x.norm(-1) * rope.Magnitude, rtol: 1e-5, atol: 0));

        using var cold = new Rope(HeadDim, scaling: new RopeScaling(ByParts: new YarnScaling(4, Trained, Temperature: false)));
        Assert.Equal(1, cold.Magnitude);
        using var coldRotated = cold.Apply(x, offset: 40);
        Assert.True(torch.allclose(coldRotated.norm(-1), x.norm(-1), rtol: 1e-5, atol: 0));
    }

    [Fact]
    public void Factor_one_is_the_unscaled_rope_exactly()
    {
        using var plain = new Rope(HeadDim);
        using var yarn = new Rope(HeadDim, scaling: RopeScaling.Yarn(1, Trained));
        Assert.True(RopeScaling.Yarn(1, Trained).IsIdentity);
        using var generator = new Generator(4);
        using var x = torch.randn([1, 2, 60, HeadDim], generator: generator);
        Assert.True(plain.Apply(x).eq(yarn.Apply(x)).all().ToBoolean());
    }

    [Fact]
    public void Bad_settings_name_the_field_and_a_usable_value()
    {
        using var rope = new Rope(HeadDim);
        Assert.Contains("Factor", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Yarn(0, Trained)).Message);
        Assert.Contains("Factor", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Yarn(-2, Trained)).Message);
        Assert.Contains("TrainedLength", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Yarn(2, 0)).Message);
        Assert.Contains("Alpha 1, Beta 32", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Yarn(2, Trained, alpha: 8, beta: 8)).Message);
        Assert.Contains("NtkAlpha", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Ntk(0)).Message);
        Assert.Contains("PositionScale", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Linear(-1)).Message);
        Assert.Contains("PositionScale", Assert.Throws<ArgumentException>(() => rope.Scaling = RopeScaling.Linear(double.NaN)).Message);
        // A failed assignment leaves the rope as it was.
        Assert.True(rope.Scaling.IsIdentity);
    }

    [Fact]
    public void A_config_with_yarn_scaling_survives_json()
    {
        var config = GptConfig.Tiny() with { RopeScaling = RopeScaling.Yarn(2.5, 16, beta: 16), ContextLength = 40 };
        var back = GptConfig.FromJson(config.ToJson());
        Assert.Equal(config, back);
        Assert.Equal(new YarnScaling(2.5, 16, 1, 16), back.RopeScaling!.ByParts);
    }
}
