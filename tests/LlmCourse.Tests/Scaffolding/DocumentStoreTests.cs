using LlmCourse.Scaffolding;

namespace LlmCourse.Tests.Scaffolding;

public class DocumentStoreTests
{
    // Distractors mention Darcy more often than the planted passage does, so a ranking by raw word counts would fail:
    // the planted one wins only through the rare words "Pemberley" and "Derbyshire" and its short length.
    private static readonly Passage[] Distractors =
    [
        new("ball", "Mr. Darcy danced only once with Mrs. Hurst and once with Miss Bingley, and Darcy declined being introduced to any other lady."),
        new("letter", "Darcy wrote the letter at night; Darcy gave it to Elizabeth in the grove, and Mr. Darcy walked away at once."),
        new("weather", "The weather was fine, and the whole party walked to Meryton to look at the shops."),
        new("sisters", "Jane and Elizabeth talked late into the night about their sisters and the officers."),
    ];

    private static readonly Passage Planted = new("estate", "Pemberley, in Derbyshire, is the estate of Mr. Darcy.");

    [Fact]
    public void The_planted_passage_ranks_first_for_a_question_about_it()
    {
        var store = new DocumentStore([.. Distractors[..2], Planted, .. Distractors[2..]]);

        var hits = store.Search("Where in Derbyshire is the estate called Pemberley?");

        Assert.Equal("estate", hits[0].Passage.Id);
        Assert.Equal(1, hits[0].Rank);
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void A_rare_word_outweighs_a_word_found_everywhere()
    {
        var store = new DocumentStore(Distractors.Append(Planted));
        Assert.True(store.Idf("pemberley") > store.Idf("darcy"));
        Assert.True(store.Idf("the") >= 0);
    }

    [Fact]
    public void Hits_come_best_first_and_top_limits_them()
    {
        var store = new DocumentStore(Distractors.Append(Planted));
        var hits = store.Search("Darcy", top: 2);
        Assert.Equal(2, hits.Count);
        Assert.Equal([1, 2], hits.Select(h => h.Rank));
        Assert.True(hits[0].Score >= hits[1].Score);
        Assert.All(hits, h => Assert.Contains("Darcy", h.Passage.Text));
    }

    [Fact]
    public void Matching_ignores_case_and_punctuation()
    {
        var store = new DocumentStore(Distractors.Append(Planted));
        Assert.Equal("estate", store.Best("PEMBERLEY!!")!.Passage.Id);
    }

    [Fact]
    public void A_query_sharing_no_word_finds_nothing()
    {
        var store = new DocumentStore(Distractors.Append(Planted));
        Assert.Empty(store.Search("zebra quantum"));
        Assert.Null(store.Best("zebra"));
        Assert.Empty(store.Search(""));
    }

    [Fact]
    public void Duplicate_ids_are_rejected_naming_the_id()
    {
        var e = Assert.Throws<ArgumentException>(() => new DocumentStore([Planted, Planted with { Text = "other words" }]));
        Assert.Contains("'estate'", e.Message);
    }

    [Fact]
    public void A_passage_without_words_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new DocumentStore([new Passage("dots", "... !!")]));
        Assert.Contains("'dots'", e.Message);
    }

    [Fact]
    public void Searching_an_empty_store_says_so() =>
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new DocumentStore([]).Search("Darcy")).Message);

    [Fact]
    public void Words_are_lower_cased_letter_and_digit_runs() =>
        Assert.Equal(["darcy", "s", "10", "000", "a", "year"], DocumentStore.Words("Darcy's 10,000 a year."));
}
