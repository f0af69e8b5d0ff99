using System.Text.RegularExpressions;
using System.Xml.Linq;
using LlmCourse.Interactive;
using LlmCourse.Notebooks;

namespace LlmCourse.Tests.Notebooks;

/// <summary>The shared setup references what the build pins and produces.</summary>
public partial class SetupNotebookTests
{
    private static readonly RepoLayout Repo = RepoLayout.Find();
    private static string SetupSource => string.Concat(NotebookFile.Read(Path.Combine(Repo.NotebooksDir, CourseNotebooks.SetupName)).CodeCells.Select(c => c.Source + "\n"));

    /// <summary>Package versions from Directory.Packages.props, with $(Properties) expanded.</summary>
    private static Dictionary<string, string> PinnedVersions()
    {
        var props = XDocument.Load(Path.Combine(Repo.Root, "Directory.Packages.props"));
        var properties = props.Descendants("PropertyGroup").Elements().ToDictionary(e => e.Name.LocalName, e => e.Value.Trim());
        return props.Descendants("PackageVersion").ToDictionary(
            e => (string)e.Attribute("Include")!,
            e => Regex.Replace((string)e.Attribute("Version")!, @"\$\((\w+)\)", m => properties[m.Groups[1].Value]),
            StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_nuget_reference_in_setup_uses_the_pinned_version()
    {
        var pinned = PinnedVersions();
        var references = NugetReference().Matches(SetupSource).Select(m => (Name: m.Groups["name"].Value, Version: m.Groups["version"].Value)).ToList();

        Assert.NotEmpty(references);
        foreach (var (name, version) in references)
        {
            Assert.True(pinned.TryGetValue(name, out var expected), $"setup.ipynb references {name}, which Directory.Packages.props does not pin: pin it there.");
            Assert.True(version == expected, $"setup.ipynb asks {name} {version}, Directory.Packages.props pins {expected}: make them agree.");
        }
    }

    [Fact]
    public void Setup_nuget_references_carry_a_version() =>
        Assert.DoesNotMatch(@"#r\s+""nuget:\s*[\w.\-]+\s*""", SetupSource);

    [Fact]
    public void Every_assembly_setup_references_exists_in_the_built_library_folder()
    {
        var paths = AssemblyReference().Matches(SetupSource).Select(m => m.Groups["path"].Value).ToList();

        Assert.Contains(paths, p => p.EndsWith("/LlmCourse.dll", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.EndsWith("/TorchSharp.dll", StringComparison.Ordinal));
        foreach (var path in paths)
            Assert.True(File.Exists(Path.Combine(Repo.NotebooksDir, path)), $"setup.ipynb references {path}, which the Debug build does not produce.");
    }

    [Fact]
    public void TorchSharp_comes_only_from_the_library_folder() =>
        Assert.DoesNotMatch(@"nuget:\s*TorchSharp", SetupSource);

    [Fact]
    public void The_setup_checks_for_the_library_before_referencing_it()
    {
        var source = SetupSource;
        var check = source.IndexOf("File.Exists(\"../lib/LlmCourse/bin/Debug/net10.0/LlmCourse.dll\")", StringComparison.Ordinal);
        var reference = source.IndexOf("#r \"../lib/LlmCourse/bin/Debug/net10.0/LlmCourse.dll\"", StringComparison.Ordinal);
        Assert.InRange(check, 0, reference - 1);
    }

    [Fact]
    public void The_runner_and_the_setup_agree_on_the_banner_and_headline_formats()
    {
        Assert.Equal(NotebookBanner.Prefix, RunAnalysis.SetupBannerPrefix);
        Assert.Equal(Report.HeadlinePrefix, Headline.Prefix);
    }

    [GeneratedRegex(@"#r\s+""nuget:\s*(?<name>[\w.\-]+)\s*,\s*(?<version>[^""\s]+)\s*""")]
    private static partial Regex NugetReference();

    [GeneratedRegex(@"#r\s+""(?<path>\.\./[^""]+\.dll)""")]
    private static partial Regex AssemblyReference();
}
