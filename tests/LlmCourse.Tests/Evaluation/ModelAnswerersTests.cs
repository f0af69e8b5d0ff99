using LlmCourse.Evaluation;
using LlmCourse.Generation;
using LlmCourse.Model;
using LlmCourse.Tokenization;

namespace LlmCourse.Tests.Evaluation;

public class ModelAnswerersTests
{
    private const string Text = "Emma Woodhouse, handsome, clever, and rich, with a comfortable home. The key is 0123456789. What is the key?\n";

    private static readonly CharTokenizer Chars = CharTokenizer.FromText(Text, specials: Specials.Course);

    private static readonly TaskItem[] Items = [new("a", "Emma ", "W"), new("b", "The key ", "is"), new("c", "home.", " ")];

    [Fact]
    public void A_greedy_model_answerer_is_text_generator_completion()
    {
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize), seed: 2);
        var options = ModelAnswerers.DefaultOptions(Chars, maxNewTokens: 5);
        Assert.Equal([Chars.SpecialTokens[Specials.End], Chars.SpecialTokens[Specials.EndOfText]], options.StopTokens);
        var result = TaskEval.Run("tiny", Items, ModelAnswerers.Create(model, Chars, options), TaskScorer.Contains());
        Assert.Equal(Items.Select(i => TextGenerator.Complete(model, Chars, i.Prompt, options)), result.Rows.Select(r => r.Answer));
    }

    [Fact]
    public void A_sampling_model_answerer_is_seeded_per_item()
    {
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize), seed: 2);
        var answer = ModelAnswerers.Create(model, Chars, new GenerationOptions { MaxNewTokens = 12, Sampling = new SamplingSettings(Temperature: 1.5) });
        Assert.Equal(answer("Emma ", 7), answer("Emma ", 7));
        Assert.NotEqual(answer("Emma ", 7), answer("Emma ", 8));
        var first = TaskEval.Run("sampled", Items, answer, TaskScorer.Contains(), seed: 3);
        var again = TaskEval.Run("sampled", Items, answer, TaskScorer.Contains(), seed: 3);
        Assert.Equal(first.Rows, again.Rows);
    }

    [Fact]
    public void The_needle_answerer_reads_past_the_context_and_agrees_with_greedy_generation_inside_it()
    {
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize), seed: 5); // RoPE, context 16
        var haystack = new NeedleHaystack(Chars, Text, new NeedleSettings { KeyDigits = 1, Question = "?" });
        var answer = ModelAnswerers.Needle(model, Chars, maxNewTokens: 3);

        var inside = haystack.Build(length: 15, depth: 0.5, seed: 1);
        var greedy = TextGenerator.Generate(model, inside.PromptIds, new GenerationOptions { MaxNewTokens = 3, Sampling = SamplingSettings.Greedy });
        Assert.StartsWith(answer(inside), Chars.Decode(greedy.Generated));

        var past = haystack.Build(length: 40, depth: 0.0, seed: 2); // 2.5× the context: nothing cropped, nothing thrown
        Assert.InRange(Chars.Encode(answer(past)).Length, 1, 3);
    }

    [Fact]
    public void The_needle_answerer_stops_once_the_first_number_is_complete_without_changing_it()
    {
        // A tiny model after a short retrieval fine-tune: its greedy answers start with a digit and go on, so numbers
        // end at different points.
        var haystack = new NeedleHaystack(Chars, Text, new NeedleSettings { KeyDigits = 1 });
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize) with { ContextLength = 64 }, seed: 3);
        NeedleFineTune.Run(model, haystack, new NeedleFineTuneSettings(Steps: 25, BatchSize: 4, MinLength: 50, MaxLength: 60, LearningRate: 3e-3, WarmupSteps: 3, Seed: 4));
        var answer = ModelAnswerers.Needle(model, Chars, maxNewTokens: 8);
        var prompts = Enumerable.Range(0, 20).Select(seed => haystack.Build(length: 55, depth: seed / 20.0, seed)).ToList();
        string Full(NeedleCase probe) =>
            Chars.Decode(TextGenerator.Generate(model, probe.PromptIds, new GenerationOptions { MaxNewTokens = 8, Sampling = SamplingSettings.Greedy }).Generated);
        string? FirstNumber(string text) => System.Text.RegularExpressions.Regex.Match(text, "[0-9]+") is { Success: true } m ? m.Value : null;

        var stoppedEarly = 0;
        foreach (var probe in prompts)
        {
            var (early, full) = (answer(probe), Full(probe));
            stoppedEarly += early.Length < full.Length ? 1 : 0;
            Assert.StartsWith(early, full);
            Assert.Equal(FirstNumber(full), FirstNumber(early));
            Assert.Equal(NeedleProbe.IsCorrect(probe.Key, full), NeedleProbe.IsCorrect(probe.Key, early));
            // Shorter only when a finished number is already there: digits, then a non-digit, at the very end.
            if (early.Length < full.Length)
                Assert.Matches("[0-9]+[^0-9]$", early);
        }
        Assert.True(stoppedEarly > 0, "no answer held a finished number: the test did not exercise the early stop. " + string.Join(" / ", prompts.Select(Full)));
    }

    [Fact]
    public void A_snapshot_measures_held_out_perplexity_and_every_task()
    {
        using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize), seed: 2);
        var tasks = new[] { new EvalTask("continue", Items, TaskScorer.Contains()), new EvalTask("first", Items[..1], TaskScorer.ExactMatch()) };
        var snapshot = EvalSnapshot.Measure("base", model, Chars, Text, tasks, ModelAnswerers.DefaultOptions(Chars, 4));
        Assert.Equal(Perplexity.Measure(model, Chars, Text).TotalNats, snapshot.HeldOut.TotalNats, 6);
        Assert.Equal(["continue", "first"], snapshot.Tasks.Select(t => t.Name));
        Assert.Equal([3, 1], snapshot.Tasks.Select(t => t.Total));
    }

    [Fact]
    public void The_retrieval_fine_tune_lowers_the_answer_loss_and_is_repeatable()
    {
        var haystack = new NeedleHaystack(Chars, Text, new NeedleSettings { KeyDigits = 1 });
        var settings = new NeedleFineTuneSettings(Steps: 25, BatchSize: 4, MinLength: 50, MaxLength: 60, LearningRate: 3e-3, WarmupSteps: 3, Seed: 4);
        IReadOnlyList<double> Train()
        {
            using var model = new GptModel(GptConfig.Tiny(Chars.VocabularySize) with { ContextLength = 64 }, seed: 3);
            return NeedleFineTune.Run(model, haystack, settings);
        }
        var losses = Train();
        Assert.Equal(25, losses.Count);
        Assert.True(losses.TakeLast(5).Average() < 0.75 * losses.Take(3).Average(), $"loss {losses[0]:F2} → {losses[^1]:F2}");
        Assert.Equal(losses, Train());
    }

    [Fact]
    public void Padding_keeps_every_real_position_and_ignores_the_rest()
    {
        var (inputs, targets) = NeedleFineTune.Pad([([1, 2, 3], [-100, 3, 4]), ([5, 6], [-100, 7])]);
        Assert.Equal(new long[] { 1, 2, 3, 5, 6, 0 }, inputs.data<long>().ToArray());
        Assert.Equal(new long[] { -100, 3, 4, -100, 7, -100 }, targets.data<long>().ToArray());
    }
}
