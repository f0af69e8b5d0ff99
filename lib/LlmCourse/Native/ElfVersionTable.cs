using System.Buffers.Binary;
using System.Text;

namespace LlmCourse.Native;

/// <summary>One symbol-version requirement of a shared library: "from libstdc++.so.6 I need GLIBCXX_3.4.32".</summary>
/// <param name="File">The library the version is needed from (e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Version">The version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Index">The version index symbols refer to through <c>.gnu.version</c>.</param>
/// <param name="IsWeak">Whether the VER_FLG_WEAK bit is set: a weak need does not stop the library from loading.</param>
/// <param name="FlagsOffset">File offset of the entry's <c>vna_flags</c> field (where the weak bit lives).</param>
public sealed record ElfVersionNeed(string File, string Version, int Index, bool IsWeak, long FlagsOffset);

/// <summary>
/// Reads the symbol-versioning tables of a 64-bit little-endian ELF shared library: the versions it needs
/// (<c>SHT_GNU_verneed</c>), the versions it defines (<c>SHT_GNU_verdef</c>) and which dynamic symbols are bound to
/// which version. This is all the dynamic loader looks at when it refuses a library with
/// "version `GLIBCXX_3.4.32' not found".
/// </summary>
public sealed class ElfVersionTable
{
    private const uint ShtDynsym = 11, ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    /// <summary>VER_FLG_WEAK: the loader only warns when a weak version is missing.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Versions this library needs from others.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; }

    /// <summary>Versions this library defines (for libstdc++: GLIBCXX_3.4 ... GLIBCXX_3.4.30 on Debian 12).</summary>
    public IReadOnlySet<string> Defines { get; }

    /// <summary>Undefined dynamic symbols, by the version index they require.</summary>
    public ILookup<int, string> ImportsByVersionIndex { get; }

    private ElfVersionTable(List<ElfVersionNeed> needs, HashSet<string> defines, ILookup<int, string> imports)
    {
        Needs = needs;
        Defines = defines;
        ImportsByVersionIndex = imports;
    }

    /// <summary>Parses the version tables of the ELF image in <paramref name="elf"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file.</exception>
    public static ElfVersionTable Read(ReadOnlySpan<byte> elf, string nameForErrors = "library")
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{nameForErrors} is not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{nameForErrors} is not a 64-bit little-endian ELF file; only those are supported.");

        var sections = ReadSections(elf, nameForErrors);
        var needs = new List<ElfVersionNeed>();
        var defines = new HashSet<string>(StringComparer.Ordinal);
        var imports = new List<(int Index, string Name)>();

        foreach (var s in sections)
        {
            var strings = sections[(int)s.Link];
            if (s.Type == ShtGnuVerneed)
                ReadNeeds(elf, s, strings, needs);
            else if (s.Type == ShtGnuVerdef)
                ReadDefines(elf, s, strings, defines);
        }

        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (dynsym is not null && versym is not null)
        {
            var strings = sections[(int)dynsym.Link];
            var count = (int)(dynsym.Size / 24);
            for (var i = 1; i < count; i++)
            {
                var sym = elf.Slice((int)(dynsym.Offset + 24 * i), 24);
                var undefined = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]) == 0;
                var index = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(versym.Offset + 2 * i)..]) & 0x7fff;
                if (undefined && index > 1)
                    imports.Add((index, CString(elf, strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(sym))));
            }
        }
        return new ElfVersionTable(needs, defines, imports.ToLookup(x => x.Index, x => x.Name));
    }

    /// <summary>Sets the weak bit on the need for <paramref name="version"/> in <paramref name="elf"/>, in place.</summary>
    /// <returns>True when the bit was changed, false when it was already set (patching is idempotent).</returns>
    public bool MarkWeak(Span<byte> elf, string version)
    {
        var need = Needs.FirstOrDefault(n => n.Version == version)
            ?? throw new ArgumentException($"The library does not need version {version}; nothing to mark weak.", nameof(version));
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)need.FlagsOffset..]);
        if ((flags & WeakFlag) != 0)
            return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)need.FlagsOffset..], (ushort)(flags | WeakFlag));
        return true;
    }

    private sealed record Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf, string name)
    {
        var shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3a..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > elf.Length)
            throw new InvalidDataException($"{name} has no readable section headers (truncated or stripped of them).");
        var sections = new List<Section>(shnum);
        for (var i = 0; i < shnum; i++)
        {
            var h = elf.Slice((int)(shoff + (long)i * shentsize), 64);
            sections.Add(new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x18..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x20..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[0x28..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[0x2c..])));
        }
        return sections;
    }

    private static void ReadNeeds(ReadOnlySpan<byte> elf, Section s, Section strings, List<ElfVersionNeed> needs)
    {
        // Elf64_Verneed {u16 version, u16 cnt, u32 file, u32 aux, u32 next}; Elf64_Vernaux {u32 hash, u16 flags, u16 other, u32 name, u32 next}
        var at = s.Offset;
        for (var n = 0; n < s.Info; n++)
        {
            var count = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(at + 2)..]);
            var file = CString(elf, strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(at + 4)..]));
            var aux = at + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(at + 8)..]);
            for (var k = 0; k < count; k++)
            {
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(aux + 4)..]);
                var index = BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)(aux + 6)..]) & 0x7fff;
                var version = CString(elf, strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(aux + 8)..]));
                needs.Add(new ElfVersionNeed(file, version, index, (flags & WeakFlag) != 0, aux + 4));
                aux += BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(aux + 12)..]);
            }
            at += BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(at + 12)..]);
        }
    }

    private static void ReadDefines(ReadOnlySpan<byte> elf, Section s, Section strings, HashSet<string> defines)
    {
        // Elf64_Verdef {u16 version, u16 flags, u16 ndx, u16 cnt, u32 hash, u32 aux, u32 next}; Elf64_Verdaux {u32 name, u32 next}
        var at = s.Offset;
        for (var n = 0; n < s.Info; n++)
        {
            var aux = at + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(at + 12)..]);
            defines.Add(CString(elf, strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)aux..])));
            at += BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)(at + 16)..]);
        }
    }

    private static string CString(ReadOnlySpan<byte> elf, long offset)
    {
        var rest = elf[(int)offset..];
        return Encoding.ASCII.GetString(rest[..rest.IndexOf((byte)0)]);
    }
}
