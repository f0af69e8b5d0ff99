using LlmCourse.Data;
using LlmCourse.Evaluation;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Scaffolding;
using LlmCourse.Tokenization;

namespace LlmCourse.Alignment;

/// <summary>
/// The recipe of the course's SFT checkpoint (<c>data/checkpoints/sft/</c>): the base checkpoint fine-tuned on the
/// training instructions (<see cref="InstructionData"/>, default seed) with these settings, replaying Austen. The bench entry
/// <c>sft</c> reproduces it; notebooks 05, 06c and 08a load it instead of re-training.
/// </summary>
public static class SftRecipe
{
    /// <summary>Where the committed SFT checkpoint lives.</summary>
    public static string Folder => Path.Combine(Course.DataDir, "checkpoints", "sft");

    /// <summary>
    /// The fine-tune: 300 steps × 16 conversations (about 6 passes over the 828 training conversations), peak
    /// learning rate 1e-3 after 20 warmup steps, cosine to 1e-4, no weight decay, clipping at 1; and every step
    /// replays 4 windows of Austen's training chapters (weight 1), which keeps the forgetting of Austen small.
    /// </summary>
    public static SftSettings Settings { get; } = new()
    {
        Steps = 300,
        BatchSize = 16,
        LearningRate = 1e-3,
        MinLearningRate = 1e-4,
        WarmupSteps = 20,
        GradientClip = 1.0,
        EvalEvery = 25,
        Seed = Course.DefaultSeed,
        ReplayWindows = 4,
        ReplayWeight = 1.0,
    };

    /// <summary>Weight of the instructions in every batch (see <see cref="Sources"/>).</summary>
    public const double InstructionShare = 1;

    /// <summary>
    /// Weight of the reading lessons in every batch: 0, left out. Measured (data/README.md): mixed in at 5 : 10 with
    /// the instructions for the same 300 steps, they taught no copying at all (0 of 200 held-out lessons, copy probe
    /// 0 of 200) and halved instruction accuracy. The base model has no induction circuit to build on, and 300 steps
    /// do not grow one. The bench's <c>reading=5</c> puts them back for experiments.
    /// </summary>
    public const double ReadingShare = 0;

    /// <summary>Weight of the repeat lessons in every batch: 0, left out (see <see cref="ReadingShare"/>).</summary>
    public const double RepeatShare = 0;

    /// <summary>Weight of the tool-use transcripts in every batch: 0, left out (see <see cref="ReadingShare"/>).</summary>
    public const double LookupShare = 0;

    /// <summary>Tokens an answer may take when the recipe's evaluations generate (the longest ideal answer is well under this).</summary>
    public const int MaxAnswerTokens = 16;

    /// <summary>Tokens a reading or tool-use answer may take: these quote a whole sentence (the longest is well under this).</summary>
    public const int ReadingAnswerTokens = 36;

    /// <summary>The chat template for <paramref name="model"/>'s context and <paramref name="tokenizer"/>.</summary>
    public static ChatTemplate Template(GptModel model, ITokenizer tokenizer) => new(tokenizer, model.Config.ContextLength);

    /// <summary>
    /// The answerer the recipe's evaluations use: greedy decoding of at most <see cref="MaxAnswerTokens"/> tokens,
    /// stopping at &lt;|end|&gt;; the answer is what came before it. Fewer tokens are faster but cut long answers.
    /// </summary>
    public static Answerer Answerer(GptModel model, ITokenizer tokenizer, int maxNewTokens = MaxAnswerTokens) =>
        ModelAnswerers.Create(model, tokenizer, ModelAnswerers.DefaultOptions(tokenizer, maxNewTokens));

    /// <summary>Held-out task accuracy of <paramref name="model"/>: every held-out instruction asked in the chat template, answered greedily, checked by its item.</summary>
    public static TaskEvalResult HeldOutAccuracy(GptModel model, ITokenizer tokenizer, InstructionSet data, string name) =>
        InstructionSet.Eval(name, data.HeldOut, Template(model, tokenizer)).Run(Answerer(model, tokenizer));

    /// <summary>
    /// Every source the recipe knows with its recipe weight, zero weights included: the instructions, the reading and
    /// repeat lessons and the tool-use transcripts (<see cref="ReadingData"/>), weighted by <see cref="InstructionShare"/>,
    /// <see cref="ReadingShare"/>, <see cref="RepeatShare"/> and <see cref="LookupShare"/>. For experiments that
    /// change the weights; train on <see cref="Sources"/>.
    /// </summary>
    public static IReadOnlyList<SftSource> AllSources(ChatTemplate template, InstructionSet instructions, ReadingSet reading) =>
    [
        new("instructions", SftData.Build(instructions.Train.Select(i => i.ToChat()), template), InstructionShare),
        new("reading", SftData.Build(reading.Train.Where(i => i.Family == "reading").Select(i => i.ToChat()), template), ReadingShare),
        new("repeat", SftData.Build(reading.Train.Where(i => i.Family == "repeat").Select(i => i.ToChat()), template), RepeatShare),
        new("lookup", SftData.Build(reading.LookupTrain, template), LookupShare),
    ];

    /// <summary>The training sources of the recipe: <see cref="AllSources"/> with a positive weight.</summary>
    public static IReadOnlyList<SftSource> Sources(ChatTemplate template, InstructionSet instructions, ReadingSet reading) =>
        AllSources(template, instructions, reading).Where(s => s.Weight > 0).ToList();

    /// <summary>
    /// The held-out conversations for the held-out answer loss: the held-out instructions, and with
    /// <paramref name="reading"/> the held-out reading lessons and tool-use transcripts too.
    /// </summary>
    public static SftData HeldOut(ChatTemplate template, InstructionSet instructions, ReadingSet? reading = null) => reading is null
        ? SftData.Build(instructions.HeldOut.Select(i => i.ToChat()), template)
        : new([.. SftData.Build(instructions.HeldOut.Concat(reading.HeldOut).Select(i => i.ToChat()), template).Examples,
               .. SftData.Build(reading.LookupHeldOut, template).Examples], []);

    /// <summary>
    /// The recipe in words, one setting a line: the settings, the shares and a SHA-256 of each committed training file
    /// the recipe reads. The bench stores it as <see cref="RecipeFile"/> next to the checkpoint; a test compares the
    /// two, so a recipe or data change without a regenerated checkpoint fails.
    /// </summary>
    public static string Describe() => Describe(Settings, InstructionShare, ReadingShare, RepeatShare, LookupShare);

    /// <summary><see cref="Describe()"/> for other settings and shares (the reader recipe's).</summary>
    internal static string Describe(SftSettings settings, double instructions, double reading, double repeat, double lookup)
    {
        var lines = new List<string> { $"settings: {settings}" };
        lines.Add($"shares: instructions {instructions}, reading {reading}, repeat {repeat}, lookup {lookup}");
        var files = new List<string> { AlignmentDataFiles.InstructionsTrain };
        if (Uses(reading) || Uses(repeat)) files.Add(AlignmentDataFiles.ReadingTrain);
        if (Uses(lookup)) files.Add(AlignmentDataFiles.LookupTrain);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(AlignmentDataFiles.Folder, file));
            lines.Add($"data: {file} sha256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))}");
        }
        lines.Add($"replay: {(settings.ReplayWindows > 0 ? "corpus Austen, training chapters" : "none")}");
        return string.Join("\n", lines) + "\n";
    }

    private static bool Uses(double share) => share > 0; // a method, not a constant comparison: the shares are consts

    /// <summary>The file in the checkpoint folder that holds <see cref="Describe()"/> of the run that made it.</summary>
    public const string RecipeFile = "recipe.txt";

    /// <summary>The pretraining text to replay and to measure forgetting on: the corpus's training and validation chapters.</summary>
    public static ReplayText Replay(ITokenizer tokenizer) => ReplayText.FromCorpus(Corpus.Austen, tokenizer);

    /// <summary>Reading accuracy: held-out reading (or repeat) items asked in the chat template, answered greedily with up to <see cref="ReadingAnswerTokens"/> tokens, checked by their items.</summary>
    /// <exception cref="ArgumentException">No items.</exception>
    public static TaskEvalResult ReadingAccuracy(GptModel model, ITokenizer tokenizer, IReadOnlyList<InstructionItem> items, string name) =>
        InstructionSet.Eval(name, items, Template(model, tokenizer)).Run(Answerer(model, tokenizer, ReadingAnswerTokens));

    /// <summary>
    /// Tool-use accuracy: every item asked with its system turn, answered through a <see cref="ToolLoop"/> whose
    /// <c>lookup</c> knows these items' people (<see cref="LookupItem.Tools"/>); the text after the tool's result must
    /// be the answer. A reply without a call is scored as it stands (almost always wrong: the fact is nowhere else).
    /// </summary>
    /// <exception cref="ArgumentException">No items.</exception>
    public static TaskEvalResult LookupAccuracy(GptModel model, ITokenizer tokenizer, IReadOnlyList<LookupItem> items, string name)
    {
        if (items.Count == 0)
            throw new ArgumentException($"The eval '{name}' has no lookup items.", nameof(items));
        var template = Template(model, tokenizer);
        var byId = items.ToDictionary(i => i.Id);
        var loop = new ToolLoop(LookupItem.Tools(items), ToolLoop.ForModel(model, tokenizer, Greedy(tokenizer, ReadingAnswerTokens)));
        var task = new EvalTask(name, items.Select(i => new TaskItem(i.Id, template.PromptText(i.User, i.System), i.Answer)).ToList(),
            TaskScorer.Custom("exact, after the tool's result", (answer, item) => byId[item.Id].IsCorrect(answer)));
        return task.Run((prompt, _) => loop.Run(prompt).Answer);
    }

    /// <summary>Greedy options for showing answers: up to <paramref name="maxNewTokens"/> tokens, stop at &lt;|end|&gt;.</summary>
    public static GenerationOptions Greedy(ITokenizer tokenizer, int maxNewTokens = MaxAnswerTokens) => ModelAnswerers.DefaultOptions(tokenizer, maxNewTokens);
}
