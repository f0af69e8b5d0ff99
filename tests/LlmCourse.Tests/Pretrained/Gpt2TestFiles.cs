using System.Globalization;
using LlmCourse.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmCourse.Tests.Pretrained;

/// <summary>The shape of a hand-made GPT-2 file.</summary>
internal sealed record Gpt2Shape(int Vocab, int Width, int Layers, int Context, int Heads, int? Hidden = null)
{
    public int MlpWidth => Hidden ?? 4 * Width;

    public static Gpt2Shape Tiny => new(Vocab: 96, Width: 32, Layers: 2, Context: 16, Heads: 4);
}

/// <summary>
/// GPT-2-layout tensors written by hand, independently of the loader's own table: the names, Conv1D orientation
/// ([in, out]) and fused q|k|v of Hugging Face's GPT2Model, random values, and a reference forward pass computed
/// straight from those raw tensors (x @ W + b) in float64.
/// </summary>
internal static class Gpt2TestFiles
{
    /// <summary>Random weights in GPT-2's layout (float32), from a private generator.</summary>
    public static Dictionary<string, Tensor> RandomTensors(Gpt2Shape s, ulong seed = 5)
    {
        using var generator = new Generator(seed);
        Tensor Normal(double std, params long[] shape) => torch.randn(shape, generator: generator).mul_(std);
        Tensor AroundOne(params long[] shape) => Normal(0.1, shape).add_(1.0);
        long w = s.Width, hidden = s.MlpWidth;
        var tensors = new Dictionary<string, Tensor>
        {
            ["wte.weight"] = Normal(0.5, s.Vocab, w),
            ["wpe.weight"] = Normal(0.2, s.Context, w),
            ["ln_f.weight"] = AroundOne(w),
            ["ln_f.bias"] = Normal(0.1, w),
        };
        var scale = 1 / Math.Sqrt(w);
        for (var l = 0; l < s.Layers; l++)
        {
            var h = $"h.{l}.";
            tensors[h + "ln_1.weight"] = AroundOne(w);
            tensors[h + "ln_1.bias"] = Normal(0.1, w);
            tensors[h + "attn.c_attn.weight"] = Normal(2 * scale, w, 3 * w);
            tensors[h + "attn.c_attn.bias"] = Normal(0.1, 3 * w);
            tensors[h + "attn.c_proj.weight"] = Normal(scale, w, w);
            tensors[h + "attn.c_proj.bias"] = Normal(0.1, w);
            tensors[h + "ln_2.weight"] = AroundOne(w);
            tensors[h + "ln_2.bias"] = Normal(0.1, w);
            tensors[h + "mlp.c_fc.weight"] = Normal(2 * scale, w, hidden);
            tensors[h + "mlp.c_fc.bias"] = Normal(0.1, hidden);
            tensors[h + "mlp.c_proj.weight"] = Normal(1 / Math.Sqrt(hidden), hidden, w);
            tensors[h + "mlp.c_proj.bias"] = Normal(0.1, w);
        }
        return tensors;
    }

    /// <summary>
    /// Writes the tensors as a safetensors file, optionally with the <c>transformer.</c> prefix, the attention-mask
    /// buffers old checkpoints carry, another float type, and a config.json beside it.
    /// </summary>
    public static string Write(string folder, IReadOnlyDictionary<string, Tensor> tensors, Gpt2Shape? configJsonFor = null,
        bool prefix = false, bool maskBuffers = false, ScalarType? storeAs = null, string fileName = "model.safetensors")
    {
        using var scope = torch.NewDisposeScope();
        var all = tensors.ToDictionary(p => (prefix ? "transformer." : "") + p.Key, p => p.Value);
        if (maskBuffers)
        {
            var layers = tensors.Keys.Where(k => k.StartsWith("h.", StringComparison.Ordinal)).Select(k => int.Parse(k.Split('.')[1], CultureInfo.InvariantCulture)).Distinct();
            var context = tensors["wpe.weight"].shape[0];
            foreach (var l in layers)
            {
                all[$"{(prefix ? "transformer." : "")}h.{l}.attn.bias"] = torch.ones(context, context).tril().reshape(1, 1, context, context);
                all[$"{(prefix ? "transformer." : "")}h.{l}.attn.masked_bias"] = torch.tensor(-1e4f);
            }
        }
        var path = Path.Combine(folder, fileName);
        SafetensorsWriter.Write(path, all, new Dictionary<string, string> { ["format"] = "pt" }, storeAs);
        if (configJsonFor is { } s)
            File.WriteAllText(Path.Combine(folder, "config.json"), FormattableString.Invariant($$"""
                {
                  "activation_function": "gelu_new",
                  "architectures": ["GPT2LMHeadModel"],
                  "layer_norm_epsilon": 1e-05,
                  "model_type": "gpt2",
                  "n_embd": {{s.Width}},
                  "n_head": {{s.Heads}},
                  "n_inner": {{(s.Hidden is { } h ? h.ToString(CultureInfo.InvariantCulture) : "null")}},
                  "n_layer": {{s.Layers}},
                  "n_positions": {{s.Context}},
                  "vocab_size": {{s.Vocab}}
                }
                """));
        return path;
    }

    /// <summary>
    /// GPT-2's forward pass written out from the raw tensors in float64: Conv1D as x @ W + b, LayerNorm (ε = 1e-5) and
    /// the tanh GELU by their formulas, explicit causal attention per head, the head tied to wte. Logits [time, vocab].
    /// </summary>
    public static Tensor ReferenceLogits(IReadOnlyDictionary<string, Tensor> raw, long[] ids, int heads)
    {
        using var scope = torch.NewDisposeScope();
        Tensor P(string name) => raw[name].to(ScalarType.Float64);
        Tensor Conv1D(Tensor x, string name) => x.mm(P(name + ".weight")) + P(name + ".bias");
        Tensor LayerNorm(Tensor x, string name)
        {
            var mean = x.mean([1], keepdim: true);
            var variance = (x - mean).pow(2).mean([1], keepdim: true);
            return (x - mean) / (variance + 1e-5).sqrt() * P(name + ".weight") + P(name + ".bias");
        }
        Tensor GeluTanh(Tensor x) => 0.5 * x * (1 + ((x + 0.044715 * x.pow(3)) * Math.Sqrt(2 / Math.PI)).tanh());

        var time = ids.Length;
        var wte = P("wte.weight");
        var width = wte.shape[1];
        var headDim = width / heads;
        var layers = raw.Keys.Count(k => k.EndsWith(".ln_1.weight", StringComparison.Ordinal));
        var x = wte.index_select(0, torch.tensor(ids)) + P("wpe.weight").narrow(0, 0, time);
        var future = torch.ones(time, time).triu(1).to(ScalarType.Bool);
        for (var l = 0; l < layers; l++)
        {
            var qkv = Conv1D(LayerNorm(x, $"h.{l}.ln_1"), $"h.{l}.attn.c_attn");
            var outputs = new List<Tensor>();
            for (var head = 0; head < heads; head++)
            {
                var q = qkv.narrow(1, head * headDim, headDim);
                var k = qkv.narrow(1, width + head * headDim, headDim);
                var v = qkv.narrow(1, 2 * width + head * headDim, headDim);
                var scores = q.mm(k.t()) / Math.Sqrt(headDim);
                outputs.Add(scores.masked_fill(future, double.NegativeInfinity).softmax(1).mm(v));
            }
            x = x + Conv1D(torch.cat(outputs, 1), $"h.{l}.attn.c_proj");
            x = x + Conv1D(GeluTanh(Conv1D(LayerNorm(x, $"h.{l}.ln_2"), $"h.{l}.mlp.c_fc")), $"h.{l}.mlp.c_proj");
        }
        var logits = LayerNorm(x, "ln_f").mm(wte.t());
        return logits.MoveToOuterDisposeScope();
    }

    public static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values)
            t.Dispose();
    }
}
