using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmCourse.Model;

/// <summary>
/// The course's GPT: token embedding (+ positions), a stack of <see cref="TransformerBlock"/>s, a final norm, and a
/// head that scores every vocabulary entry as the next token. <c>model.call(ids)</c> gives logits;
/// <see cref="Run"/> adds the KV cache, recording (<see cref="ForwardTrace"/>) and the MoE loss; <see cref="Loss"/>
/// gives the training loss.
/// </summary>
/// <remarks>
/// <para>state_dict names: <c>token_embedding.weight</c>, <c>position_embedding.weight</c> (learned positions only),
/// <c>blocks.{i}.attn_norm</c>, <c>blocks.{i}.attn.{q,k,v,o}_proj</c>, <c>blocks.{i}.mlp_norm</c>,
/// <c>blocks.{i}.mlp.{up,gate,down}_proj</c> (MoE: <c>mlp.router</c>, <c>mlp.experts.{e}.…</c>), <c>final_norm</c>,
/// <c>lm_head.weight</c> (untied head only).</para>
/// <para>The tied head multiplies by the embedding matrix (<c>F.linear(x, token_embedding.weight)</c>) instead of
/// registering the same tensor twice, which would make TorchSharp's optimizers apply its gradient twice.</para>
/// </remarks>
public sealed class GptModel : nn.Module<Tensor, Tensor>, ISwappableChildren
{
    [ComponentName(Name = "token_embedding")] private readonly Embedding tokenEmbedding;
    [ComponentName(Name = "position_embedding")] private readonly Embedding? positionEmbedding;
    [ComponentName(Name = "blocks")] private readonly ModuleList<TransformerBlock> blocks;
    [ComponentName(Name = "final_norm")] private readonly nn.Module<Tensor, Tensor> finalNorm;
    [ComponentName(Name = "lm_head")] private nn.Module<Tensor, Tensor>? head;
    private nn.Module<Tensor, Tensor>? tokenAdapter; // registered as "token_adapter" while set

    private readonly Rope? rope;
    private readonly SinusoidalPositions? sinusoidal;

    /// <summary>The config this model was built from, with the current attention kernel and RoPE scaling.</summary>
    public GptConfig Config { get; private set; }

    /// <summary>Builds a model with fresh weights drawn from a generator seeded with <paramref name="seed"/>: same seed, same weights.</summary>
    /// <param name="config">The shape of the model.</param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    /// <param name="initialize">False leaves every weight at zero (norm scales at one) for a checkpoint to overwrite: faster to build.</param>
    /// <exception cref="ArgumentException">The config is invalid (the message lists each problem and its fix).</exception>
    public GptModel(GptConfig config, int seed = Course.DefaultSeed, bool initialize = true) : base(nameof(GptModel))
    {
        Config = config.Validate();
        using (Layers.DeferInitialization())
        {
            tokenEmbedding = Layers.Embedding(config.VocabSize, config.Width);
            positionEmbedding = config.Positions == PositionKind.Learned ? Layers.Embedding(config.ContextLength, config.Width) : null;
            blocks = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(l => new TransformerBlock(config, l)).ToArray());
            finalNorm = Norms.Create(config);
            head = config.TiedHead ? null : Layers.Linear(config.Width, config.VocabSize, bias: false);
        }
        RegisterComponents();

        if (config.Positions == PositionKind.Rope)
            rope = new Rope(config.HeadDim, config.ContextLength, config.RopeBase, config.RopeScaling);
        else if (config.Positions == PositionKind.Sinusoidal)
            sinusoidal = new SinusoidalPositions(config.Width, config.ContextLength);
        if (initialize)
            Initialize(seed);
    }

    /// <summary>The blocks, first to last.</summary>
    public IReadOnlyList<TransformerBlock> Blocks => blocks.ToList();

    /// <summary>The token-embedding matrix [vocab, width] (also the output head when tied).</summary>
    public Parameter TokenEmbeddingWeight => tokenEmbedding.weight!;

    /// <summary>
    /// A module that rewrites the token-embedding matrix before the model uses it, or null (the matrix as it is). It
    /// receives the [vocab, width] matrix and returns the one the model looks tokens up in and, with a tied head, scores
    /// the next token with. Fine-tuning methods that freeze the matrix put their trainable part here, e.g. trainable
    /// rows for new tokens or a low-rank update (<c>Levers.EmbeddingAdapter</c>). While set, it is a registered child
    /// named <c>token_adapter</c>: its parameters appear in <c>parameters()</c> and <c>state_dict()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Setting an adapter while another is set (set null first).</exception>
    public nn.Module<Tensor, Tensor>? TokenEmbeddingAdapter
    {
        get => tokenAdapter;
        set
        {
            if (ReferenceEquals(value, tokenAdapter))
                return;
            if (value is not null && tokenAdapter is not null)
                throw new ArgumentException("The model already has a token-embedding adapter: remove it first (TokenEmbeddingAdapter = null), or merge it into the weights.", nameof(value));
            register_module(TokenAdapterName, null!); // TorchSharp removes a child registered with null
            tokenAdapter = value;
            if (value is not null)
                register_module(TokenAdapterName, value);
        }
    }

    private const string TokenAdapterName = "token_adapter";

    /// <summary>The token-embedding matrix the model uses: <see cref="TokenEmbeddingWeight"/> through the adapter, if any.</summary>
    private Tensor TokenMatrix() => tokenAdapter is null ? tokenEmbedding.weight! : tokenAdapter.call(tokenEmbedding.weight!);

    /// <summary>The rotary positions (null unless <see cref="PositionKind.Rope"/>).</summary>
    public Rope? Rope => rope;

    /// <summary>Switch between the explicit attention code and the fused kernel; both give the same numbers.</summary>
    public AttentionKernel AttentionKernel
    {
        get => Config.Attention;
        set => Config = Config with { Attention = value };
    }

    /// <summary>
    /// RoPE context-extension scaling, set on a trained model without retraining (position interpolation, NTK).
    /// Do not change it in the middle of a KV-cached generation: cached keys keep the angles they were stored with.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not use RoPE.</exception>
    public RopeScaling RopeScaling
    {
        get => rope?.Scaling ?? RopeScaling.None;
        set
        {
            if (rope is null)
                throw new InvalidOperationException($"RoPE scaling needs Positions = Rope; this model uses {Config.Positions} positions.");
            rope.Scaling = value;
            Config = Config with { RopeScaling = value.IsIdentity ? null : value };
        }
    }

    /// <summary>
    /// The length the model is trained and measured at: the window <c>Trainer</c>, perplexity and generation use.
    /// With RoPE or sinusoidal positions it can be changed on a trained model (context extension: pair it with
    /// <see cref="RopeScaling"/> and a short fine-tune at the new length); learned positions have a table of exactly
    /// this many rows and cannot.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is below 1.</exception>
    /// <exception cref="InvalidOperationException">The model uses learned positions.</exception>
    public int ContextLength
    {
        get => Config.ContextLength;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The context length must be at least 1 token (the base model uses 128).");
            if (value != Config.ContextLength && positionEmbedding is not null)
                throw new InvalidOperationException(
                    $"This model learned one position vector for each of its {Config.ContextLength} positions; there is nothing to use for position {Config.ContextLength}. " +
                    "Only RoPE or sinusoidal models can change their context length.");
            Config = Config with { ContextLength = value };
        }
    }

    /// <summary>
    /// Sliding-window attention, switchable on a trained model: each token sees itself and the previous
    /// <c>SlidingWindow − 1</c> tokens; null = full causal attention. The KV cache from <see cref="CreateCache"/>
    /// then keeps only that many positions, so its memory stops growing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A window below 1.</exception>
    public int? SlidingWindow
    {
        get => Config.SlidingWindow;
        set
        {
            if (value is < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "A sliding window must hold at least 1 token (the token itself); use null for full attention.");
            Config = Config with { SlidingWindow = value };
        }
    }

    /// <summary>Parameters counted on the live module (each tensor once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>An empty KV cache sized for this model (sliding window from the config unless given).</summary>
    public KvCache CreateCache(int? window = null) => new(Config.Layers, Config.ContextLength, window ?? Config.SlidingWindow);

    /// <summary>Logits [batch, time, vocab] for token ids [batch, time].</summary>
    public override Tensor forward(Tensor ids)
    {
        var output = Run(ids);
        output.AuxLoss?.Dispose();
        return output.Logits;
    }

    /// <summary>
    /// The forward pass with every option. With a <paramref name="cache"/>, the ids are the tokens that follow what
    /// the cache already holds (the whole prompt for prefill, one token per decode step) and the pass runs without
    /// autograd.
    /// </summary>
    /// <param name="ids">Token ids [batch, time], int64.</param>
    /// <param name="cache">A KV cache to read and extend, or null.</param>
    /// <param name="trace">What to record (attention weights, residual stream, routing), or null.</param>
    /// <param name="lastPositionOnly">Compute logits only for the last position (generation needs no others).</param>
    /// <exception cref="ArgumentException">Ids out of the vocabulary, too long for learned positions, badly shaped, or a cache that does not fit.</exception>
    public GptOutput Run(Tensor ids, KvCache? cache = null, ForwardTrace? trace = null, bool lastPositionOnly = false)
    {
        var offset = cache?.Length ?? 0;
        CheckIds(ids, offset);
        CheckCache(cache, ids);
        trace?.Clear();
        using var noGrad = cache is null ? null : torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (x, auxLoss) = Trunk(ids, offset, cache, trace);

        var time = ids.shape[1];
        if (lastPositionOnly && time > 1)
            x = x.narrow(1, time - 1, 1);
        x = finalNorm.call(x);
        var logits = head is null ? F.linear(x, TokenMatrix()) : head.call(x);
        return new GptOutput(scope.MoveToOuter(logits), auxLoss is null ? null : scope.MoveToOuter(auxLoss));
    }

    /// <summary>
    /// The last block's output after the final norm, [batch, time, width]: what the head turns into logits. A reward
    /// model or a classifier puts its own head here instead of the vocabulary head. Keeps autograd (trainable).
    /// </summary>
    /// <exception cref="ArgumentException">Ids out of the vocabulary, too long for learned positions, or badly shaped.</exception>
    public Tensor Hidden(Tensor ids)
    {
        CheckIds(ids, 0);
        using var scope = torch.NewDisposeScope();
        var (x, _) = Trunk(ids, 0, null, null);
        return scope.MoveToOuter(finalNorm.call(x));
    }

    /// <summary>Embedding, positions and every block: the residual stream before the final norm, and the MoE loss.</summary>
    private (Tensor X, Tensor? AuxLoss) Trunk(Tensor ids, int offset, KvCache? cache, ForwardTrace? trace)
    {
        var time = (int)ids.shape[1];
        var x = tokenAdapter is null
            ? tokenEmbedding.call(ids)
            : TokenMatrix().index_select(0, ids.reshape(-1).to(ScalarType.Int64)).reshape(ids.shape[0], time, Config.Width);
        if (positionEmbedding is not null)
            x = x + positionEmbedding.call(torch.arange(offset, offset + time, dtype: ScalarType.Int64));
        else if (sinusoidal is not null)
            x = x + sinusoidal.Slice(offset, time).to(x.dtype);
        if (Config.Dropout > 0 && training)
            x = F.dropout(x, Config.Dropout, training: true);
        trace?.AddResidual(x);

        Tensor? auxLoss = null;
        for (var l = 0; l < blocks.Count; l++)
        {
            var context = new LayerContext(l, offset, cache, trace, rope, Config.Attention, Config.SlidingWindow, Config.Dropout, training);
            (x, var blockAux) = blocks[l].Forward(x, context);
            if (blockAux is not null)
                auxLoss = auxLoss is null ? blockAux : auxLoss + blockAux;
            trace?.AddResidual(x);
        }

        return (x, auxLoss);
    }

    /// <summary>
    /// The logit lens: turns a residual-stream snapshot ([..., width], e.g. <see cref="ForwardTrace.Residuals"/>[l])
    /// into next-token logits exactly as the last layer's output is turned: final norm, then the head. Applied to an
    /// early layer it shows what the model "would say" if it stopped there.
    /// </summary>
    public Tensor Unembed(Tensor residual)
    {
        using var scope = torch.NewDisposeScope();
        var x = finalNorm.call(residual);
        return scope.MoveToOuter(head is null ? F.linear(x, TokenMatrix()) : head.call(x));
    }

    /// <summary>
    /// Next-token cross-entropy of <paramref name="targets"/> (the ids shifted by one; −100 = ignore) plus, for a
    /// Mixture of Experts, <see cref="GptConfig.MoeAuxLossWeight"/> × the load-balancing loss. A scalar.
    /// </summary>
    /// <exception cref="ArgumentException">Targets of another shape than the ids, or outside the vocabulary.</exception>
    public Tensor Loss(Tensor ids, Tensor targets)
    {
        if (!targets.shape.SequenceEqual(ids.shape))
            throw new ArgumentException($"Targets must have the ids' shape [{string.Join(", ", ids.shape)}] (each position's next token), got [{string.Join(", ", targets.shape)}].", nameof(targets));
        CheckTargetRange(targets);
        using var scope = torch.NewDisposeScope();
        var output = Run(ids);
        var loss = F.cross_entropy(output.Logits.reshape(-1, Config.VocabSize), targets.reshape(-1));
        if (output.AuxLoss is { } aux && Config.MoeAuxLossWeight > 0)
            loss = loss + Config.MoeAuxLossWeight * aux;
        return scope.MoveToOuter(loss);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Input checks: explain the problem before TorchSharp sees the tensor (an embedding lookup out of range or a
    // position past the table would fail deep inside LibTorch).

    private void CheckIds(Tensor ids, int offset)
    {
        if (ids.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"Token ids must be integers (int64), got {ids.dtype}. Build them with torch.tensor(long[]) or .to(ScalarType.Int64).", nameof(ids));
        if (ids.dim() != 2 || ids.shape[0] == 0 || ids.shape[1] == 0)
            throw new ArgumentException($"Token ids must be a non-empty [batch, time] tensor, got [{string.Join(", ", ids.shape)}]. For one sequence use ids.unsqueeze(0).", nameof(ids));
        var time = ids.shape[1];
        if (Config.Positions == PositionKind.Learned && offset + time > Config.ContextLength)
            throw new ArgumentException(
                $"{time} tokens{(offset > 0 ? $" after {offset} in the KV cache" : "")} reach position {offset + time - 1}, but learned positions stop at " +
                $"{Config.ContextLength - 1} (ContextLength = {Config.ContextLength}). Crop the input to its last {Config.ContextLength - offset} tokens, " +
                "or use a model with RoPE or sinusoidal positions.", nameof(ids));
        if (ids.numel() <= 4096 && ids.device_type == DeviceType.CPU && ids.is_contiguous() && IdsInRange(ids))
            return; // read in place: a decode step would otherwise pay four tensor operations for one token
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var outside = ids.lt(0).logical_or(ids.ge(Config.VocabSize));
        if (outside.any().ToBoolean())
        {
            var where = outside.nonzero()[0];
            long b = where[0].ToInt64(), t = where[1].ToInt64();
            throw new ArgumentException(
                $"Token id {ids[b, t].ToInt64()} at [{b}, {t}] is outside the vocabulary 0..{Config.VocabSize - 1}. " +
                "Encode the text with the tokenizer this model was built for (its vocabulary size must equal Config.VocabSize).", nameof(ids));
        }
    }

    /// <summary>True when every id is inside the vocabulary, read on the .NET side (int64 or int32, contiguous CPU ids).</summary>
    private bool IdsInRange(Tensor ids)
    {
        var vocab = Config.VocabSize;
        if (ids.dtype == ScalarType.Int64)
        {
            foreach (var id in ids.data<long>().ToArray())
                if (id < 0 || id >= vocab)
                    return false;
            return true;
        }
        foreach (var id in ids.data<int>().ToArray())
            if (id < 0 || id >= vocab)
                return false;
        return true;
    }

    private void CheckTargetRange(Tensor targets)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var outside = targets.lt(0).logical_and(targets.ne(-100)).logical_or(targets.ge(Config.VocabSize));
        if (outside.any().ToBoolean())
            throw new ArgumentException($"A target id is outside the vocabulary 0..{Config.VocabSize - 1} (−100 marks positions to ignore). Check the tokenizer and the shift by one.", nameof(targets));
    }

    private void CheckCache(KvCache? cache, Tensor ids)
    {
        if (cache is null)
            return;
        if (cache.Layers != Config.Layers)
            throw new ArgumentException($"This KV cache has {cache.Layers} layers but the model has {Config.Layers}. Create it with model.CreateCache().", nameof(cache));
        if (cache.Length > 0 && cache.BatchSize != ids.shape[0])
            throw new ArgumentException($"The KV cache holds a batch of {cache.BatchSize} sequences but the ids have {ids.shape[0]}. Call cache.Reset() for a new batch.", nameof(cache));
        var needed = Config.SlidingWindow;
        if (cache.Window is { } kept && (needed is null || kept < needed))
            throw new ArgumentException(
                $"The KV cache keeps only {kept} positions but the model attends to {(needed is null ? "all of them" : $"the last {needed}")}: " +
                "generation would silently forget keys. Use model.CreateCache() (its window follows Config.SlidingWindow).", nameof(cache));
    }

    // -------------------------------------------------------------------------------------------------------------
    // Weights

    private void Initialize(int seed)
    {
        // A private generator: the weights depend on the seed only, not on what else used torch's global RNG.
        using var generator = new Generator((ulong)seed);
        using var noGrad = torch.no_grad();
        // GPT-2: N(0, 0.02) everywhere; the projections that write into the residual stream get 1/√(2·layers) of it,
        // so the stream's variance does not grow with depth.
        var residualStd = Config.InitStd / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, module) in named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    var writesResidual = name.EndsWith(".o_proj", StringComparison.Ordinal) || name.EndsWith(".down_proj", StringComparison.Ordinal);
                    FillNormal(linear.weight!, writesResidual ? residualStd : Config.InitStd, generator);
                    if (linear.bias is { } bias)
                        bias.zero_();
                    break;
                case Embedding embedding:
                    FillNormal(embedding.weight!, Config.InitStd, generator);
                    break;
            }
        }
    }

    private static void FillNormal(Tensor weight, double std, Generator generator)
    {
        // nn.init.normal_ in TorchSharp 0.107 ignores its generator argument; randn honours it.
        using var values = torch.randn(weight.shape, dtype: weight.dtype, generator: generator);
        weight.copy_(values.mul_(std));
    }

    /// <summary>
    /// Copies weights into this model after checking every name and shape, so a checkpoint of another config fails
    /// with the first mismatched tensor named instead of a broadcasting error (or silent partial loading).
    /// </summary>
    /// <param name="weights">Name → tensor, as from <c>state_dict()</c> or a checkpoint reader.</param>
    /// <param name="strict">Require exactly the same names (true), or load only the names both sides have.</param>
    /// <exception cref="ArgumentException">A name is missing or extra (strict), or a shape differs.</exception>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> weights, bool strict = true)
    {
        var own = state_dict();
        foreach (var (name, target) in own)
        {
            if (!weights.TryGetValue(name, out var source))
            {
                if (strict)
                    throw new ArgumentException($"The weights have no tensor '{name}' that this model needs ([{string.Join(", ", target.shape)}]). " +
                                                "They come from a model with another config (norm, positions, MLP, tied head or layer count): build the model from the checkpoint's config.", nameof(weights));
                continue;
            }
            if (!source.shape.SequenceEqual(target.shape))
                throw new ArgumentException(
                    $"Tensor '{name}' is [{string.Join(", ", source.shape)}] in the weights but [{string.Join(", ", target.shape)}] in this model. " +
                    $"The weights were made with another config (this one: VocabSize {Config.VocabSize}, Width {Config.Width}, Heads {Config.Heads}, " +
                    $"Layers {Config.Layers}, ContextLength {Config.ContextLength}): build the model from the checkpoint's config.", nameof(weights));
        }
        if (strict && weights.Keys.FirstOrDefault(k => !own.ContainsKey(k)) is { } extra)
            throw new ArgumentException($"The weights hold '{extra}', which this model does not have. They come from a model with another config: build the model from the checkpoint's config.", nameof(weights));

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in own)
            if (weights.TryGetValue(name, out var source))
                target.copy_(source);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Surgery: the hooks LoRA, quantization and pruning use.

    /// <summary>Every <c>Linear</c> layer with its path (e.g. "blocks.0.attn.q_proj"); the tied head is not a module and is not listed.</summary>
    public IEnumerable<(string Path, Linear Module)> NamedLinears() =>
        named_modules().Where(m => m.module is Linear).Select(m => (m.name, (Linear)m.module));

    /// <summary>
    /// Replaces the module at <paramref name="path"/> (e.g. "blocks.2.attn.v_proj") with <paramref name="replacement"/>.
    /// The replaced module is returned, not disposed: a wrapper such as LoRA keeps using it.
    /// </summary>
    /// <exception cref="ArgumentException">No module at that path, or its owner does not allow swapping it.</exception>
    public nn.Module<Tensor, Tensor> ReplaceModule(string path, nn.Module<Tensor, Tensor> replacement)
    {
        var modules = named_modules().ToDictionary(m => m.name, m => m.module);
        if (!modules.TryGetValue(path, out var old) || old is not nn.Module<Tensor, Tensor> oldModule)
            throw new ArgumentException($"No replaceable module at '{path}'. Paths look like 'blocks.0.attn.q_proj'; list them with NamedLinears().", nameof(path));
        var cut = path.LastIndexOf('.');
        var (parentPath, name) = cut < 0 ? ("", path) : (path[..cut], path[(cut + 1)..]);
        var parent = parentPath == "" ? this : modules.GetValueOrDefault(parentPath);
        if (parent is not ISwappableChildren owner)
            throw new ArgumentException($"'{parentPath}' ({parent?.GetType().Name}) does not allow replacing its children; swappable owners are attention, MLPs and the untied head.", nameof(path));
        owner.ReplaceChild(name, replacement);
        return oldModule;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> SwappableNames => head is null ? [] : ["lm_head"];

    /// <inheritdoc/>
    public void ReplaceChild(string name, nn.Module<Tensor, Tensor> replacement)
    {
        if (name != "lm_head" || head is null)
            throw ChildSwap.Unknown(nameof(GptModel), name, SwappableNames);
        head = replacement;
        ChildSwap.Reregister(this, name, replacement);
    }

    /// <summary>Frees the position tables with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rope?.Dispose();
            sinusoidal?.Dispose();
        }
        base.Dispose(disposing);
    }
}
