namespace LlmCourse.Tokenization;

/// <summary>
/// What <see cref="ITokenizer.Encode"/> does when the text contains the spelling of a special token such as
/// <c>&lt;|endoftext|&gt;</c>.
/// </summary>
public enum SpecialTokenPolicy
{
    /// <summary>
    /// The spelling becomes the special token's one id (the default; this is what Microsoft.ML.Tokenizers does, and
    /// tiktoken with <c>allowed_special="all"</c>). Use it for text your own code assembled, such as a chat template.
    /// </summary>
    Allow,

    /// <summary>The spelling is ordinary text and is cut into ordinary tokens (tiktoken's <c>encode_ordinary</c>).</summary>
    AsText,

    /// <summary>
    /// The spelling is an error (tiktoken's default). Use it for text from outside, e.g. a user's chat message, so
    /// nobody can smuggle an <c>&lt;|assistant|&gt;</c> turn into the prompt.
    /// </summary>
    Reject,
}
