namespace LlmCourse.Tokenization;

/// <summary>The exceptions all tokenizers throw for the same mistakes, worded once.</summary>
internal static class TokenizerErrors
{
    public static void CheckId(int id, int vocabularySize, string tokenizer)
    {
        if ((uint)id >= (uint)vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(id), id,
                $"Token id {id} is outside the vocabulary of '{tokenizer}' (size {vocabularySize}, valid ids 0..{vocabularySize - 1}). " +
                "Decode ids produced by this same tokenizer, or check that the model's vocabulary size matches it.");
    }

    public static ArgumentException RejectedSpecial(string special, int position, string tokenizer) =>
        new($"The text contains the special token {special} at position {position}, and the policy is Reject ('{tokenizer}'). " +
            "Pass SpecialTokenPolicy.AsText to encode it as plain text, or Allow if your own code put it there.", "text");
}
