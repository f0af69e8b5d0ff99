using System.Text.Json.Nodes;

namespace LlmCourse.Tests.Notebooks;

/// <summary>Builds small notebooks with the course's metadata for tests.</summary>
internal static class TestNotebooks
{
    public static JsonObject Markdown(string id, string source) => new()
    {
        ["cell_type"] = "markdown", ["id"] = id, ["metadata"] = new JsonObject(), ["source"] = source,
    };

    public static JsonObject Code(string id, string source, params JsonObject[] outputs) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["id"] = id,
        ["metadata"] = new JsonObject
        {
            ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
            ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
        },
        ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
        ["source"] = source,
    };

    public static JsonObject Stdout(string text) => new() { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = text };

    public static JsonObject Error(string message) => new() { ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = message, ["traceback"] = new JsonArray() };

    public static JsonObject Html(string html) => new()
    {
        ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["text/html"] = html },
    };

    public static JsonObject Document(params JsonObject[] cells) => new()
    {
        ["cells"] = new JsonArray(cells.Select(c => (JsonNode)c).ToArray()),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            ["polyglot_notebook"] = new JsonObject
            {
                ["kernelInfo"] = new JsonObject
                {
                    ["defaultKernelName"] = "csharp",
                    ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
                },
            },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    };

    public static void Write(string path, params JsonObject[] cells) => File.WriteAllText(path, Document(cells).ToJsonString());

    /// <summary>Writes the notebook to a fresh temporary file and returns its path.</summary>
    public static string Temp(string name, JsonObject document)
    {
        var folder = Directory.CreateTempSubdirectory("llmcourse-nb-").FullName;
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }
}
