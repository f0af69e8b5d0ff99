namespace LlmCourse.Scaffolding;

/// <summary>One retrievable piece of text in a <see cref="DocumentStore"/>.</summary>
/// <param name="Id">A name unique within the store, shown in tables (e.g. "darcy" or "emma-12").</param>
/// <param name="Text">The passage itself: what retrieval puts into the model's context.</param>
public sealed record Passage(string Id, string Text);

/// <summary>A passage found by <see cref="DocumentStore.Search"/>, with its BM25 score and rank (1 = best).</summary>
/// <param name="Passage">The passage.</param>
/// <param name="Score">Its BM25 score for the query (higher = more relevant; only comparable within one query).</param>
/// <param name="Rank">1 for the best hit, 2 for the next, ...</param>
public sealed record SearchHit(Passage Passage, double Score, int Rank);
