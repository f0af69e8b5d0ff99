using LlmCourse.Tokenization;

namespace LlmCourse.Alignment;

/// <summary>
/// The course's one chat template, shared by fine-tuning, the lenses notebook and evaluation, so a model is always
/// asked in the format it was taught:
/// <code>
/// &lt;|system|&gt;Answer briefly.&lt;|end|&gt;&lt;|user|&gt;Who is Jane Bennet's sister?&lt;|end|&gt;&lt;|assistant|&gt;Elizabeth Bennet&lt;|end|&gt;
/// </code>
/// The system turn is optional. The five markers are special tokens (one id each, never cut); the texts between
/// them are encoded with <see cref="SpecialTokenPolicy.Reject"/>, so a user who types "&lt;|assistant|&gt;" gets an
/// error instead of forging a turn. Generation starts after <c>&lt;|assistant|&gt;</c> and stops at <c>&lt;|end|&gt;</c>.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>Builds the template over a tokenizer that has the four chat tokens (the course's base tokenizer does: ids 1019–1023).</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="contextLength">The model's context: <see cref="Format"/> refuses conversations longer than this.</param>
    /// <exception cref="ArgumentException">The tokenizer lacks a chat token, or the context is below 8.</exception>
    public ChatTemplate(ITokenizer tokenizer, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (contextLength < 8)
            throw new ArgumentException($"contextLength = {contextLength}: a chat needs room for its markers and some text; use the model's Config.ContextLength (128 for the course's GPT).", nameof(contextLength));
        Tokenizer = tokenizer;
        ContextLength = contextLength;
        SystemId = IdOf(Specials.System);
        UserId = IdOf(Specials.User);
        AssistantId = IdOf(Specials.Assistant);
        EndId = IdOf(Specials.End);
    }

    /// <summary>The tokenizer the template encodes with.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>The longest formatted conversation allowed, in tokens.</summary>
    public int ContextLength { get; }

    /// <summary>Id of <c>&lt;|system|&gt;</c>.</summary>
    public int SystemId { get; }

    /// <summary>Id of <c>&lt;|user|&gt;</c>.</summary>
    public int UserId { get; }

    /// <summary>Id of <c>&lt;|assistant|&gt;</c>.</summary>
    public int AssistantId { get; }

    /// <summary>Id of <c>&lt;|end|&gt;</c>: ends every turn; generation stops when the model writes it.</summary>
    public int EndId { get; }

    /// <summary>
    /// The prompt as text, ending with <c>&lt;|assistant|&gt;</c>: what a model is asked to continue. Encoding it
    /// (special tokens allowed) gives exactly <see cref="PromptIds"/>, so text-level answerers such as
    /// <see cref="Evaluation.ModelAnswerers"/> see the same ids as training did.
    /// </summary>
    /// <exception cref="ArgumentException">The user text is empty, or a text holds a chat marker.</exception>
    public string PromptText(string user, string? system = null)
    {
        CheckText(user, "user", required: true);
        CheckText(system, "system", required: false);
        var head = string.IsNullOrEmpty(system) ? "" : Specials.System + system + Specials.End;
        return head + Specials.User + user + Specials.End + Specials.Assistant;
    }

    /// <summary>The whole conversation as text, the answer and its closing <c>&lt;|end|&gt;</c> included.</summary>
    /// <exception cref="ArgumentException">A text is empty or holds a chat marker.</exception>
    public string Text(ChatSample sample)
    {
        CheckText(sample.Assistant, "assistant", required: true);
        return PromptText(sample.User, sample.System) + sample.Assistant + Specials.End;
    }

    /// <summary>The prompt's ids, ending with <c>&lt;|assistant|&gt;</c>; the model generates from here until <see cref="EndId"/>.</summary>
    /// <exception cref="ArgumentException">The user text is empty, a text holds a chat marker, or the prompt fills the whole context.</exception>
    public int[] PromptIds(string user, string? system = null)
    {
        var ids = EncodePrompt(user, system);
        if (ids.Count >= ContextLength)
            throw new ArgumentException($"The prompt is {ids.Count} tokens, leaving no room for an answer in a context of {ContextLength}. Shorten the user or system text.");
        return [.. ids];
    }

    /// <summary>
    /// Formats a conversation for training: its ids, and a mask that is true exactly on the tokens of the assistant's
    /// answer including its closing <c>&lt;|end|&gt;</c> (the model must learn to stop) and false on everything the
    /// model is given (system, user, the markers before the answer).
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty or holds a chat marker, or the conversation is longer than <see cref="ContextLength"/>; the message gives the count.</exception>
    public FormattedChat Format(ChatSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        CheckText(sample.Assistant, "assistant", required: true);
        var ids = EncodePrompt(sample.User, sample.System);
        var promptLength = ids.Count;
        ids.AddRange(Tokenizer.Encode(sample.Assistant, SpecialTokenPolicy.Reject));
        ids.Add(EndId);
        if (ids.Count > ContextLength)
            throw new ArgumentException(
                $"The conversation is {ids.Count} tokens, longer than the context of {ContextLength} (user: '{Short(sample.User)}'). " +
                "Shorten the prompt or the answer, or skip it (SftData.Build skips and counts such samples).");
        var mask = new bool[ids.Count];
        Array.Fill(mask, true, promptLength, ids.Count - promptLength);
        return new FormattedChat([.. ids], mask);
    }

    /// <summary>Tokens the conversation takes once formatted (markers included); it fits when this is at most <see cref="ContextLength"/>.</summary>
    /// <exception cref="ArgumentException">A text is empty or holds a chat marker.</exception>
    public int CountTokens(ChatSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        CheckText(sample.Assistant, "assistant", required: true);
        return EncodePrompt(sample.User, sample.System).Count + Tokenizer.Encode(sample.Assistant, SpecialTokenPolicy.Reject).Length + 1;
    }

    /// <summary>Whether <see cref="Format"/> would accept the conversation's length.</summary>
    /// <exception cref="ArgumentException">A text is empty or holds a chat marker.</exception>
    public bool Fits(ChatSample sample) => CountTokens(sample) <= ContextLength;

    /// <summary>The tokens <paramref name="ids"/> decoded as far as the first <c>&lt;|end|&gt;</c> (which is dropped): the answer a model gave.</summary>
    public string AnswerText(IEnumerable<int> ids) => Tokenizer.Decode(ids.TakeWhile(id => id != EndId));

    private List<int> EncodePrompt(string user, string? system)
    {
        CheckText(user, "user", required: true);
        CheckText(system, "system", required: false);
        var ids = new List<int>();
        if (!string.IsNullOrEmpty(system))
        {
            ids.Add(SystemId);
            ids.AddRange(Tokenizer.Encode(system, SpecialTokenPolicy.Reject));
            ids.Add(EndId);
        }
        ids.Add(UserId);
        ids.AddRange(Tokenizer.Encode(user, SpecialTokenPolicy.Reject));
        ids.Add(EndId);
        ids.Add(AssistantId);
        return ids;
    }

    private static void CheckText(string? text, string role, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
                throw new ArgumentException($"The {role} text is empty: a chat sample needs a non-empty {role} turn (an empty answer would teach the model to stop at once).");
            return;
        }
        foreach (var marker in Specials.Course)
            if (text.Contains(marker, StringComparison.Ordinal))
                throw new ArgumentException($"The {role} text contains the chat marker '{marker}' ('{Short(text)}'). The template adds the markers itself; remove it from the text.");
    }

    private int IdOf(string special) =>
        Tokenizer.SpecialTokens.TryGetValue(special, out var id)
            ? id
            : throw new ArgumentException($"The tokenizer '{Tokenizer.Name}' has no special token '{special}'. Use the course's base tokenizer " +
                                          "(GptCheckpoint.Load(BaseRecipe.Folder).Tokenizer), which has the four chat tokens.");

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
