using System.Buffers.Binary;
using LlmCourse.Data;

namespace LlmCourse.Tests.Data;

public class RSerializationTests
{
    private static void AssertStrings(string?[] expected, RObject actual) =>
        Assert.Equal<IEnumerable<string?>>(expected, Assert.IsType<RCharacter>(actual).Values);

    [Fact]
    public void Reads_a_character_vector_with_ascii_utf8_latin1_and_NA()
    {
        var bytes = new RWriter().Int(16).Int(5)
            .CharSxp("It is a truth universally acknowledged")
            .CharSxp("")
            .CharSxp("her £20,000")              // flagged UTF-8
            .CharSxp("caf\u00e9", levels: 4)     // flagged latin1: one byte per character
            .CharSxp(null)
            .ToArray();

        AssertStrings(["It is a truth universally acknowledged", "", "her £20,000", "café", null], RSerialization.Read(bytes));
    }

    [Fact]
    public void Reads_a_named_list_and_resolves_repeated_symbols_by_reference()
    {
        var bytes = new RWriter().List(2, w =>
        {
            w.Strings(["x", "y"], names: ["first", "second"]); // inner names: the "names" symbol is written in full
            w.Integers(3, int.MinValue);                       // NA_integer_
        }, names: ["words", "numbers"]).ToArray();             // outer names: the symbol comes back as a reference

        var list = Assert.IsType<RList>(RSerialization.Read(bytes));

        Assert.Equal<IEnumerable<string?>>(["words", "numbers"], list.Names!);
        Assert.Equal<IEnumerable<string?>>(["first", "second"], list["words"].Names!);
        Assert.Equal([3, null], Assert.IsType<RInteger>(list["numbers"]).Values);
    }

    [Fact]
    public void Version_2_streams_without_an_encoding_field_also_read()
    {
        var bytes = new RWriter(version: 2).Strings("Emma").ToArray();
        AssertStrings(["Emma"], RSerialization.Read(bytes));
    }

    [Fact]
    public void Truncated_input_fails_with_a_message_saying_it_is_cut_short()
    {
        var bytes = new RWriter().Strings("Persuasion", "Northanger Abbey").ToArray();
        var error = Assert.Throws<InvalidDataException>(() => RSerialization.Read(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Contains("cut short", error.Message);
    }

    [Fact]
    public void Non_xdr_input_is_rejected_with_the_reason()
    {
        var error = Assert.Throws<InvalidDataException>(() => RSerialization.Read("A\n3\n"u8));
        Assert.Contains("X\\n", error.Message);
    }

    [Fact]
    public void Unsupported_types_name_the_type_code()
    {
        var bytes = new RWriter().Int(3).ToArray(); // CLOSXP, a function
        var error = Assert.Throws<NotSupportedException>(() => RSerialization.Read(bytes));
        Assert.Contains("type 3", error.Message);
    }

    [Fact]
    public void Lazy_load_database_round_trip_finds_each_object_by_name()
    {
        var (rdx, rdb) = RWriter.LazyLoad(new Dictionary<string, string?[]>
        {
            ["emma"] = ["EMMA", "", "CHAPTER I"],
            ["persuasion"] = ["Persuasion", "by", "Jane Austen"],
        });

        var database = RLazyLoadDatabase.FromBytes(rdx, rdb);

        Assert.Equal(["emma", "persuasion"], database.Names);
        AssertStrings(["Persuasion", "by", "Jane Austen"], database.Read("persuasion"));
        AssertStrings(["EMMA", "", "CHAPTER I"], database.Read("emma"));
        var missing = Assert.Throws<KeyNotFoundException>(() => database.Read("lady susan"));
        Assert.Contains("emma, persuasion", missing.Message);
    }

    [Fact]
    public void Lazy_load_chunk_whose_length_header_lies_is_rejected()
    {
        var (rdx, rdb) = RWriter.LazyLoad(new Dictionary<string, string?[]> { ["emma"] = ["EMMA"] });
        BinaryPrimitives.WriteInt32BigEndian(rdb, BinaryPrimitives.ReadInt32BigEndian(rdb) - 1); // claim one byte fewer

        var database = RLazyLoadDatabase.FromBytes(rdx, rdb);

        Assert.Throws<InvalidDataException>(() => database.Read("emma"));
    }

    [Fact]
    public void Open_names_the_missing_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "Rdata.rdx");
        var error = Assert.Throws<FileNotFoundException>(() => RLazyLoadDatabase.Open(path));
        Assert.Contains(path, error.Message);
    }
}
