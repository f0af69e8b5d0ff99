using System.Text.Json;
using System.Text.Json.Nodes;
using LlmCourse.IO;
using LlmCourse.Model;

namespace LlmCourse.Pretrained;

/// <summary>
/// The fields of a Hugging Face GPT-2 <c>config.json</c> that shape the model (every one optional: the weights'
/// shapes say the rest). Read from the file beside the weights when there is one; written beside saved weights so
/// Python tools (<c>GPT2LMHeadModel.from_pretrained(folder)</c>) can open them.
/// </summary>
/// <param name="Layers"><c>n_layer</c>.</param>
/// <param name="Width"><c>n_embd</c>.</param>
/// <param name="Heads"><c>n_head</c>: the one thing the tensors cannot tell.</param>
/// <param name="ContextLength"><c>n_positions</c>.</param>
/// <param name="VocabSize"><c>vocab_size</c>.</param>
/// <param name="MlpWidth"><c>n_inner</c> (null = 4·width).</param>
/// <param name="NormEpsilon"><c>layer_norm_epsilon</c>.</param>
/// <param name="Activation"><c>activation_function</c>: <c>gelu_new</c> (GPT-2's tanh approximation) or <c>gelu</c> (exact).</param>
/// <param name="TiedHead"><c>tie_word_embeddings</c> (Hugging Face's default: true).</param>
public sealed record Gpt2JsonConfig(int? Layers, int? Width, int? Heads, int? ContextLength, int? VocabSize, int? MlpWidth,
    double? NormEpsilon, string? Activation, bool? TiedHead)
{
    /// <summary>The file name Hugging Face gives a model's configuration.</summary>
    public const string FileName = "config.json";

    /// <summary>The GELU formula named by <see cref="Activation"/> (GPT-2's tanh approximation when absent).</summary>
    /// <exception cref="InvalidDataException">An activation the course's GPT-2 cannot run.</exception>
    public GeluApproximation Gelu(string path) => Activation switch
    {
        null or "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => GeluApproximation.Tanh,
        "gelu" => GeluApproximation.None,
        _ => throw new InvalidDataException(
            $"{path}: activation_function '{Activation}' is not one the course's GPT can run. It supports 'gelu_new' (GPT-2's tanh GELU) and 'gelu' (exact)."),
    };

    /// <summary>Reads <paramref name="path"/>; missing fields stay null.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or a field has the wrong type; the message names it.</exception>
    public static Gpt2JsonConfig Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}). Download it again, or delete it: the weights' shapes are enough for GPT-2 (heads = width / 64).", e);
        }
        if (root is not JsonObject json)
            throw new InvalidDataException($"{path} is not a JSON object. Download it again, or delete it (heads then follow GPT-2's rule, width / 64).");

        T? Field<T>(string name) where T : struct
        {
            if (!json.TryGetPropertyValue(name, out var node) || node is null)
                return null;
            try
            {
                return node.GetValue<T>();
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: '{name}' is {node.ToJsonString()}, not a {(typeof(T) == typeof(bool) ? "true/false" : "number")}. Fix or delete the file.", e);
            }
        }
        string? Text(string name) => json.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

        return new Gpt2JsonConfig(Field<int>("n_layer"), Field<int>("n_embd"), Field<int>("n_head"), Field<int>("n_positions"),
            Field<int>("vocab_size"), Field<int>("n_inner"), Field<double>("layer_norm_epsilon"), Text("activation_function"), Field<bool>("tie_word_embeddings"));
    }

    /// <summary>A Hugging Face <c>config.json</c> describing <paramref name="config"/> as a <c>GPT2LMHeadModel</c>.</summary>
    public static string Describe(GptConfig config)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["model_type"] = "gpt2",
            ["activation_function"] = config.Gelu == GeluApproximation.Tanh ? "gelu_new" : "gelu",
            ["n_layer"] = config.Layers,
            ["n_embd"] = config.Width,
            ["n_head"] = config.Heads,
            ["n_positions"] = config.ContextLength,
            ["n_ctx"] = config.ContextLength,
            ["n_inner"] = config.MlpWidthAt(0) == 4 * config.Width ? null : config.MlpWidthAt(0),
            ["vocab_size"] = config.VocabSize,
            ["layer_norm_epsilon"] = config.NormEpsilon,
            ["tie_word_embeddings"] = config.TiedHead,
            ["attn_pdrop"] = config.Dropout,
            ["embd_pdrop"] = config.Dropout,
            ["resid_pdrop"] = config.Dropout,
            ["initializer_range"] = config.InitStd,
        };
        // GPT-2's <|endoftext|> is id 50256; a course tokenizer's vocabulary is smaller and numbers it otherwise.
        if (config.VocabSize == 50_257)
        {
            json["bos_token_id"] = 50_256;
            json["eos_token_id"] = 50_256;
        }
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Writes <see cref="Describe"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, GptConfig config) => AtomicFile.WriteAllText(path, Describe(config));
}
