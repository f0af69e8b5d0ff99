using LlmCourse.Data;

namespace LlmCourse.Tests.Data;

public class AustenCleanerTests
{
    private static readonly string?[] RawNovel =
    [
        "EMMA", "", "By Jane Austen", "", "", "",
        "VOLUME I", "", "",
        "CHAPTER I", "", "",
        "Emma Woodhouse, handsome, clever, and rich, with a comfortable home",
        "and happy disposition.  Between _them_ it was more the intimacy of",
        "sisters--",
        "nearly.",
        null,
        "    My first doth affliction denote,",
        "      Which my second is destin'd to feel",
        "",
        "     \"I have just had the honour of receiving your",
        "     letter, for which I beg to return my sincere",
        "     acknowledgments.",
        "",
        "                        [End volume one of this edition.",
        "                        Printed by T. and A. Constable]",
        "",
        "CHAPTER II",
        "",
        "FINIS",
        "",
        "A NOTE ON THE TEXT",
        "",
        "The Signet Classic text is based on the first edition.",
    ];

    private static string Clean() => AustenCleaner.CleanNovel("EMMA", RawNovel);

    [Fact]
    public void Title_page_is_replaced_by_one_title_line_and_headings_stay()
    {
        Assert.StartsWith("EMMA\n\nVOLUME I\n\nCHAPTER I\n\nEmma Woodhouse", Clean());
        Assert.DoesNotContain("By Jane Austen", Clean());
    }

    [Fact]
    public void Paragraph_lines_are_joined_with_single_spaces_and_dashes_join_without_one()
    {
        Assert.Contains(
            "\n\nEmma Woodhouse, handsome, clever, and rich, with a comfortable home and happy disposition. " +
            "Between them it was more the intimacy of sisters--nearly.\n\n",
            Clean());
    }

    [Fact]
    public void Verse_keeps_its_line_breaks_without_indentation()
    {
        Assert.Contains("\n\nMy first doth affliction denote,\nWhich my second is destin'd to feel\n\n", Clean());
    }

    [Fact]
    public void An_indented_letter_in_prose_is_reflowed_like_any_paragraph()
    {
        Assert.Contains("\n\n\"I have just had the honour of receiving your letter, for which I beg to return my sincere acknowledgments.\n\n", Clean());
    }

    [Fact]
    public void Editorial_notes_and_the_signet_afterword_are_removed()
    {
        var text = Clean();
        Assert.DoesNotContain("edition", text);
        Assert.DoesNotContain("Signet", text);
        Assert.EndsWith("CHAPTER II\n\nFINIS", text);
    }

    [Fact]
    public void No_underscores_double_spaces_or_triple_newlines_remain()
    {
        var text = Clean();
        Assert.DoesNotContain("_", text);
        Assert.DoesNotContain("  ", text);
        Assert.DoesNotContain("\n\n\n", text);
    }

    [Fact]
    public void Corpus_joins_novels_with_two_blank_lines_in_publication_order()
    {
        var corpus = AustenCleaner.BuildCorpus(name => ["x", "CHAPTER 1", "", name]);
        var expected = string.Join("\n\n\n", AustenCleaner.Novels.Select(n => $"{n.Title}\n\nCHAPTER 1\n\n{n.RName}")) + "\n";
        Assert.Equal(expected, corpus);
    }

    [Fact]
    public void Text_without_any_chapter_heading_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => AustenCleaner.CleanNovel("LADY SUSAN", ["Lady Susan", "", "Letter 1"]));
        Assert.Contains("LADY SUSAN", error.Message);
    }
}
