namespace LlmCourse.Evaluation;

/// <summary>
/// Anything that answers a prompt: a model with a decoding strategy, a lookup table, a human stand-in in a test.
/// <paramref name="seed"/> is the item's own seed (<see cref="TaskEval.ItemSeed"/>): a sampling answerer seeds its
/// sampler with it, so each item's answer is the same in every run and whether or not other items ran before it.
/// A greedy answerer ignores it.
/// </summary>
/// <param name="prompt">The item's prompt.</param>
/// <param name="seed">The item's seed.</param>
/// <returns>The answer text (the continuation only, without the prompt).</returns>
public delegate string Answerer(string prompt, int seed);
