using LlmCourse.Alignment;

namespace LlmCourse.Tests.Alignment;

public class AlignmentDataFilesTests
{
    /// <summary>Set to 1 to rewrite data/alignment/ from the generators (then review the diff and commit it).</summary>
    private const string RegenerateVariable = "LLMCOURSE_REGENERATE_ALIGNMENT";

    [Fact]
    public void The_committed_files_equal_the_generators_output()
    {
        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
            AlignmentDataFiles.WriteAll(AlignmentDataFiles.Folder);
        foreach (var (name, expected) in AlignmentDataFiles.Expected())
        {
            var path = Path.Combine(AlignmentDataFiles.Folder, name);
            Assert.True(File.Exists(path), $"{path} is missing. Regenerate: {RegenerateVariable}=1 dotnet test --filter AlignmentDataFilesTests");
            Assert.True(expected == File.ReadAllText(path),
                $"{path} differs from the generator's output. If the generator changed on purpose, regenerate: {RegenerateVariable}=1 dotnet test --filter AlignmentDataFilesTests");
        }
    }

    [Fact]
    public void Records_survive_the_jsonl_round_trip()
    {
        var data = AlignmentFixtures.Instructions;
        var pairs = PreferenceData.Generate(data);
        using var folder = new TempFolder();
        var itemsPath = Path.Combine(folder.Path, "items.jsonl");
        var pairsPath = Path.Combine(folder.Path, "pairs.jsonl");
        File.WriteAllText(itemsPath, AlignmentDataFiles.ToJsonl(data.HeldOut));
        File.WriteAllText(pairsPath, AlignmentDataFiles.ToJsonl(pairs.HeldOut));

        Assert.Equal(data.HeldOut, AlignmentDataFiles.ReadJsonl<InstructionItem>(itemsPath));
        Assert.Equal(pairs.HeldOut, AlignmentDataFiles.ReadJsonl<PreferencePair>(pairsPath));
        Assert.Equal(data.HeldOut.Count, File.ReadAllLines(itemsPath).Length);

        var lookups = AlignmentFixtures.Reading.LookupHeldOut;
        var lookupsPath = Path.Combine(folder.Path, "lookups.jsonl");
        File.WriteAllText(lookupsPath, AlignmentDataFiles.ToJsonl(lookups));
        Assert.Equal(lookups, AlignmentDataFiles.ReadJsonl<LookupItem>(lookupsPath));
        Assert.DoesNotContain("\"Reply\"", File.ReadAllText(lookupsPath)); // derived from the fields, not stored
    }

    [Fact]
    public void A_damaged_line_is_named()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "bad.jsonl");
        File.WriteAllText(path, AlignmentDataFiles.ToJsonl(AlignmentFixtures.Instructions.HeldOut.Take(2)) + "{\"Id\": 3,\n");
        var e = Assert.Throws<InvalidDataException>(() => AlignmentDataFiles.ReadJsonl<InstructionItem>(path));
        Assert.Contains("line 3", e.Message);
    }
}
