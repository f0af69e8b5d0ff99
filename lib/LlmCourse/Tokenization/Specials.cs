namespace LlmCourse.Tokenization;

/// <summary>
/// The spellings of the course's special tokens. <see cref="EndOfText"/> separates documents (GPT-2's own token);
/// the four chat tokens frame a conversation for fine-tuning:
/// <c>&lt;|system|&gt;You are terse.&lt;|end|&gt;&lt;|user|&gt;Hi&lt;|end|&gt;&lt;|assistant|&gt;Hello.&lt;|end|&gt;</c>.
/// A special token is never cut and never produced by merging: it is found in the text before anything else runs.
/// </summary>
public static class Specials
{
    /// <summary>End of a document: <c>&lt;|endoftext|&gt;</c>.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Starts the system turn (instructions for the assistant).</summary>
    public const string System = "<|system|>";

    /// <summary>Starts a user turn.</summary>
    public const string User = "<|user|>";

    /// <summary>Starts an assistant turn: the model writes what follows.</summary>
    public const string Assistant = "<|assistant|>";

    /// <summary>Ends any turn; generation stops when the model writes it.</summary>
    public const string End = "<|end|>";

    /// <summary>The five special tokens a trained course tokenizer carries, in id order (they get the last ids).</summary>
    public static IReadOnlyList<string> Course { get; } = [EndOfText, System, User, Assistant, End];
}
