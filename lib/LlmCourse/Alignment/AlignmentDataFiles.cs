using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmCourse.IO;

namespace LlmCourse.Alignment;

/// <summary>
/// The committed copies of the alignment data under <c>data/alignment/</c>: one JSON object per line (JSONL), so a
/// student can read them, grep them or load them in Python. They are exactly what <see cref="InstructionData.Generate"/>,
/// <see cref="ReadingData.Generate"/> and <see cref="PreferenceData.Generate"/> produce with the default seed; a test
/// fails if they drift.
/// </summary>
public static class AlignmentDataFiles
{
    /// <summary>Training instructions.</summary>
    public const string InstructionsTrain = "instructions-train.jsonl";

    /// <summary>Held-out instructions.</summary>
    public const string InstructionsHeldOut = "instructions-heldout.jsonl";

    /// <summary>Training reading lessons (families "reading" and "repeat").</summary>
    public const string ReadingTrain = "reading-train.jsonl";

    /// <summary>Held-out reading lessons, about names no training item uses.</summary>
    public const string ReadingHeldOut = "reading-heldout.jsonl";

    /// <summary>Training tool-use transcripts.</summary>
    public const string LookupTrain = "lookup-train.jsonl";

    /// <summary>Held-out tool-use items.</summary>
    public const string LookupHeldOut = "lookup-heldout.jsonl";

    /// <summary>Training preference pairs.</summary>
    public const string PreferencesTrain = "preferences-train.jsonl";

    /// <summary>Held-out preference pairs.</summary>
    public const string PreferencesHeldOut = "preferences-heldout.jsonl";

    /// <summary>The folder of the committed copies.</summary>
    public static string Folder => Path.Combine(Course.DataDir, "alignment");

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep apostrophes and quotes readable in the files
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every file's name and its expected content for the default seed.</summary>
    public static IReadOnlyDictionary<string, string> Expected()
    {
        var instructions = InstructionData.Generate();
        var preferences = PreferenceData.Generate(instructions);
        var reading = ReadingData.Generate();
        return new Dictionary<string, string>
        {
            [InstructionsTrain] = ToJsonl(instructions.Train),
            [InstructionsHeldOut] = ToJsonl(instructions.HeldOut),
            [ReadingTrain] = ToJsonl(reading.Train),
            [ReadingHeldOut] = ToJsonl(reading.HeldOut),
            [LookupTrain] = ToJsonl(reading.LookupTrain),
            [LookupHeldOut] = ToJsonl(reading.LookupHeldOut),
            [PreferencesTrain] = ToJsonl(preferences.Train),
            [PreferencesHeldOut] = ToJsonl(preferences.HeldOut),
        };
    }

    /// <summary>Writes the files into <paramref name="folder"/> (atomically, one by one).</summary>
    public static void WriteAll(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in Expected())
            AtomicFile.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>Records as JSONL: one compact JSON object per line, LF line ends.</summary>
    public static string ToJsonl<T>(IEnumerable<T> records)
    {
        var text = new StringBuilder();
        foreach (var record in records)
            text.Append(JsonSerializer.Serialize(record, Json)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads a JSONL file written by <see cref="ToJsonl{T}"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid record; the message gives the line number.</exception>
    public static IReadOnlyList<T> ReadJsonl<T>(string path)
    {
        var records = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
                continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<T>(line, Json) ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {number}: not a {typeof(T).Name} ({e.Message}). Regenerate the file (see data/README.md).", e);
            }
        }
        return records;
    }

    /// <summary>The committed instruction data.</summary>
    public static InstructionSet LoadInstructions() =>
        new(ReadJsonl<InstructionItem>(Path.Combine(Folder, InstructionsTrain)), ReadJsonl<InstructionItem>(Path.Combine(Folder, InstructionsHeldOut)));

    /// <summary>The committed reading and tool-use lessons.</summary>
    public static ReadingSet LoadReading() =>
        new(ReadJsonl<InstructionItem>(Path.Combine(Folder, ReadingTrain)), ReadJsonl<InstructionItem>(Path.Combine(Folder, ReadingHeldOut)),
            ReadJsonl<LookupItem>(Path.Combine(Folder, LookupTrain)), ReadJsonl<LookupItem>(Path.Combine(Folder, LookupHeldOut)));

    /// <summary>The committed preference data.</summary>
    public static PreferenceSet LoadPreferences() =>
        new(ReadJsonl<PreferencePair>(Path.Combine(Folder, PreferencesTrain)), ReadJsonl<PreferencePair>(Path.Combine(Folder, PreferencesHeldOut)));
}
