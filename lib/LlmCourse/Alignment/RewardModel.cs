using LlmCourse.Model;
using LlmCourse.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmCourse.Alignment;

/// <summary>
/// A reward model: the GPT backbone (usually a copy of the SFT model, so it already reads chats) with its vocabulary
/// head replaced by one number. The score of (prompt, answer) is read at the answer's last token, the only position
/// whose causal attention has seen the whole answer. It is trained on preference pairs with the Bradley–Terry loss
/// (<see cref="BradleyTerry"/>): only differences of scores mean anything, so the scale and offset are arbitrary.
/// </summary>
public sealed class RewardModel : nn.Module
{
    private readonly GptModel backbone;
    private readonly Linear head;

    /// <summary>Wraps a backbone (which the reward model then owns and trains) with a fresh scalar head at 0.</summary>
    public RewardModel(GptModel backbone) : base(nameof(RewardModel))
    {
        this.backbone = backbone;
        head = nn.Linear(backbone.Config.Width, 1, hasBias: true);
        using (no_grad())
        {
            // Zero: every answer starts at reward 0, so the first margins are 0 and the first loss is exactly ln 2.
            head.weight!.zero_();
            head.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>A reward model whose backbone is loaded from a checkpoint folder (e.g. the SFT model's).</summary>
    /// <exception cref="InvalidDataException">The checkpoint is missing or corrupt.</exception>
    public static RewardModel FromCheckpoint(string folder) => new(GptCheckpoint.Load(folder).Model);

    /// <summary>The backbone's config (its context length bounds what can be scored).</summary>
    public GptConfig Config => backbone.Config;

    /// <summary>Scores every row of a batch: [batch] rewards (under autograd unless in <c>no_grad</c>).</summary>
    public Tensor Score(AnswerBatch batch)
    {
        using var scope = NewDisposeScope();
        var hidden = backbone.Hidden(batch.Ids);                                    // [batch, time, width]
        var width = hidden.shape[2];
        var index = batch.LastIndex.view(-1, 1, 1).expand(-1, 1, width);            // [batch, 1, width]
        var last = hidden.gather(1, index).squeeze(1);                              // [batch, width]
        return scope.MoveToOuter(head.call(last).squeeze(-1));
    }

    /// <summary>Scores (prompt, answer) rows as numbers, without autograd, a batch of <paramref name="batchSize"/> at a time.</summary>
    /// <exception cref="ArgumentException">A row is empty or longer than the context.</exception>
    public double[] Score(IReadOnlyList<(int[] Prompt, int[] Answer)> rows, int batchSize = 32)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            var scores = new List<double>(rows.Count);
            foreach (var chunk in rows.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                using var batch = AnswerBatch.Create(chunk, Config.ContextLength);
                scores.AddRange(Score(batch).data<float>().Select(v => (double)v));
            }
            return scores.ToArray();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>The score of one answer to one prompt.</summary>
    public double Score(int[] prompt, int[] answer) => Score([(prompt, answer)])[0];
}
