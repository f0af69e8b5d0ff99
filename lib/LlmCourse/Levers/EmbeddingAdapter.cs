using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Levers;

/// <summary>
/// The trainable part of a frozen token-embedding matrix E [vocab, width], for <see cref="Model.GptModel.TokenEmbeddingAdapter"/>.
/// Two independent pieces, either or both:
/// <list type="bullet">
/// <item><b>Trainable token rows</b> (PEFT's <c>trainable_token_indices</c>): the rows of chosen ids are replaced by
/// trainable copies that start equal to the base rows. This is how new tokens (a chat template's markers) learn a
/// meaning of their own while the rest of the vocabulary stays frozen: <c>rows.Length · width</c> numbers.</item>
/// <item><b>A low-rank update</b> <c>ΔE = (Alpha/r)·B·A</c>, B [vocab, r] starting at zero, A [r, width] random: LoRA
/// applied to the embedding, which with a tied head is also the output layer. <c>r · (vocab + width)</c> numbers.</item>
/// </list>
/// The adapted matrix is <c>E + ΔE</c> with the chosen rows replaced. Freshly made, it equals E exactly.
/// </summary>
public sealed class EmbeddingAdapter : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state_dict keys
    private readonly Parameter? lora_A;
    private readonly Parameter? lora_B;
    private readonly Parameter? rows;
#pragma warning restore IDE1006
    private readonly RowState? state; // not a Tensor field, so not registered: the ids and base rows stay out of state_dict

    private sealed record RowState(Tensor Ids, Tensor BaseRows);

    /// <summary>Makes an adapter for <paramref name="embedding"/> (the frozen [vocab, width] matrix; only its shape and chosen rows are read).</summary>
    /// <param name="embedding">The base matrix, e.g. <c>GptModel.TokenEmbeddingWeight</c>.</param>
    /// <param name="rank">Rank of the low-rank update; 0 for none.</param>
    /// <param name="alpha">The update is scaled by alpha / rank (as in <see cref="LoraConfig"/>).</param>
    /// <param name="trainableRows">Ids whose rows become trainable; empty for none.</param>
    /// <param name="generator">Draws A (seeded: same seed, same adapter).</param>
    /// <exception cref="ArgumentException">A negative rank or one above min(vocab, width), an id outside the vocabulary or given twice, or nothing to train.</exception>
    public EmbeddingAdapter(Tensor embedding, int rank, double alpha, IReadOnlyList<int> trainableRows, Generator? generator = null) : base(nameof(EmbeddingAdapter))
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(trainableRows);
        if (embedding.dim() != 2)
            throw new ArgumentException($"An embedding matrix is [vocab, width]; got [{string.Join(", ", embedding.shape)}].", nameof(embedding));
        (Vocab, Width) = (embedding.shape[0], embedding.shape[1]);
        if (rank < 0 || rank > Math.Min(Vocab, Width))
            throw new ArgumentException($"Embedding LoRA rank {rank} does not fit a [{Vocab}, {Width}] matrix: use 0 (no low-rank update) up to {Math.Min(Vocab, Width)}.", nameof(rank));
        if (rank == 0 && trainableRows.Count == 0)
            throw new ArgumentException("The embedding adapter would train nothing: give a rank above 0, some trainable token ids, or both.", nameof(rank));
        foreach (var bad in trainableRows.Where(id => id < 0 || id >= Vocab).Take(1))
            throw new ArgumentException($"Token id {bad} is outside the vocabulary (0 to {Vocab - 1}): pass the ids of the tokens whose rows should train, e.g. the chat markers.", nameof(trainableRows));
        if (trainableRows.Distinct().Count() != trainableRows.Count)
            throw new ArgumentException($"A token id is listed twice in [{string.Join(", ", trainableRows)}]: list each trainable row once.", nameof(trainableRows));
        Rank = rank;
        Scaling = rank == 0 ? 0 : alpha / rank;
        TrainableRows = [.. trainableRows];
        using (no_grad())
        {
            if (rank > 0)
            {
                var bound = 1.0 / Math.Sqrt(Width); // as LoraLinear: the matrix is the tied head's weight (out = vocab, in = width)
                lora_A = new Parameter(((rand(rank, Width, generator: generator) * 2 - 1) * bound).to(embedding.dtype), requires_grad: true);
                lora_B = new Parameter(zeros(Vocab, rank, dtype: embedding.dtype), requires_grad: true);
                lora_A.DetachFromDisposeScope();
                lora_B.DetachFromDisposeScope();
            }
            if (trainableRows.Count > 0)
            {
                var ids = tensor(trainableRows.Select(i => (long)i).ToArray()).DetachFromDisposeScope();
                state = new RowState(ids, embedding.detach().index_select(0, ids).DetachFromDisposeScope());
                rows = new Parameter(state.BaseRows.clone(), requires_grad: true);
                rows.DetachFromDisposeScope();
            }
        }
        RegisterComponents();
    }

    /// <summary>Vocabulary size (rows of the matrix).</summary>
    public long Vocab { get; }

    /// <summary>Embedding width (columns).</summary>
    public long Width { get; }

    /// <summary>Rank of the low-rank update (0: none).</summary>
    public int Rank { get; }

    /// <summary>alpha / rank, the factor on <c>B·A</c>.</summary>
    public double Scaling { get; }

    /// <summary>The ids whose rows train.</summary>
    public IReadOnlyList<int> TrainableRows { get; }

    /// <summary>A of the low-rank update [r, width], or null without one.</summary>
    public Parameter? A => lora_A;

    /// <summary>B of the low-rank update [vocab, r] (zero at the start), or null without one.</summary>
    public Parameter? B => lora_B;

    /// <summary>The trainable rows [ids, width], in <see cref="TrainableRows"/> order, or null without them.</summary>
    public Parameter? Rows => rows;

    /// <summary>True while the adaptation is written into the base matrix (forward then passes the matrix through).</summary>
    public bool Merged { get; private set; }

    /// <summary>The adapted matrix: <c>E + (Alpha/r)·B·A</c> with the trainable rows put in.</summary>
    public override Tensor forward(Tensor embedding)
    {
        if (Merged)
            return embedding.alias();
        using var scope = NewDisposeScope();
        var adapted = lora_A is null ? embedding : embedding + lora_B!.mm(lora_A) * Scaling;
        if (rows is not null)
            adapted = adapted.index_copy(0, state!.Ids, rows);
        return scope.MoveToOuter(adapted);
    }

    /// <summary>Writes the adaptation into <paramref name="embedding"/> (the base matrix, in place). Idempotent.</summary>
    public void Merge(Tensor embedding)
    {
        if (Merged) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        if (lora_A is not null)
            embedding.add_(lora_B!.mm(lora_A) * Scaling);
        if (rows is not null)
            embedding.index_copy_(0, state!.Ids, rows);
        Merged = true;
    }

    /// <summary>Takes the adaptation back out of <paramref name="embedding"/>: the rows get their base values again. Idempotent.</summary>
    public void Unmerge(Tensor embedding)
    {
        if (!Merged) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        if (lora_A is not null)
            embedding.sub_(lora_B!.mm(lora_A) * Scaling);
        if (rows is not null)
            embedding.index_copy_(0, state!.Ids, state!.BaseRows);
        Merged = false;
    }

    /// <summary>Frees the row ids and the saved base rows with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            state?.Ids.Dispose();
            state?.BaseRows.Dispose();
        }
        base.Dispose(disposing);
    }
}
