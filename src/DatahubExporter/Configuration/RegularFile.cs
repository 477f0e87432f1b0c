using System.Runtime.InteropServices;
using System.Text;

namespace DatahubExporter.Configuration;

/// <summary>
/// Tells a regular file from a FIFO, socket or device before anything opens it: opening a FIFO for reading
/// blocks until a writer appears, so a named pipe at a config path would hang start-up or a reload without a
/// word. .NET's <see cref="File.GetAttributes(string)"/> does not tell these apart on Unix, so this asks
/// <c>stat(2)</c> (which follows symbolic links: Kubernetes mounts secrets as links to regular files). The same
/// call gives the file's group, which the permission warning compares with this process's groups.
/// Thread-safe and stateless.
/// </summary>
internal static unsafe class RegularFile
{
    // The S_IFMT bits of st_mode; the same values on every Unix .NET runs on.
    private const uint TypeMask = 0xF000;

    private static readonly delegate* unmanaged<byte*, byte*, int> Stat;
    private static readonly delegate* unmanaged<int, byte*, byte*, int> XStat;
    private static readonly delegate* unmanaged<uint> GetEgid;
    private static readonly delegate* unmanaged<int, uint*, int> GetGroups;
    private static readonly int ModeOffset = -1;
    private static readonly int GroupOffset = -1;

    static RegularFile()
    {
        // Where st_mode sits in struct stat: after dev, ino and nlink (8 bytes each) on x86-64; after dev and
        // ino on the generic layout arm64 and riscv64 use. Elsewhere the check is skipped.
        ModeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 16,
            _ => -1,
        };
        // st_gid follows st_mode and st_uid on x86-64; st_mode, st_nlink and st_uid on the generic layout.
        GroupOffset = ModeOffset < 0 ? -1 : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? ModeOffset + 8 : ModeOffset + 12;
        if (!OperatingSystem.IsLinux() || ModeOffset < 0)
        {
            return;
        }

        if (NativeLibrary.TryLoad("libc.so.6", out var libc) || NativeLibrary.TryLoad("libc.musl-x86_64.so.1", out libc)
            || NativeLibrary.TryLoad("libc.musl-aarch64.so.1", out libc))
        {
            if (NativeLibrary.TryGetExport(libc, "stat", out var stat))
            {
                Stat = (delegate* unmanaged<byte*, byte*, int>)stat;
            }
            else if (NativeLibrary.TryGetExport(libc, "__xstat", out var xstat))
            {
                // glibc before 2.33 exports stat only as __xstat(version, path, buf); version 1 on x86-64, 0 on arm64.
                XStat = (delegate* unmanaged<int, byte*, byte*, int>)xstat;
            }

            if (NativeLibrary.TryGetExport(libc, "getegid", out var getegid) && NativeLibrary.TryGetExport(libc, "getgroups", out var getgroups))
            {
                GetEgid = (delegate* unmanaged<uint>)getegid;
                GetGroups = (delegate* unmanaged<int, uint*, int>)getgroups;
            }
        }
    }

    /// <summary>Null when <paramref name="path"/> is a regular file, does not exist, or cannot be examined
    /// (the read that follows reports those); otherwise what it is instead, e.g. "a FIFO (named pipe)".</summary>
    public static string? NotRegular(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return "a directory";
        }

        var buffer = stackalloc byte[512];
        if (!TryStat(path, buffer))
        {
            return null;
        }

        return (*(uint*)(buffer + ModeOffset) & TypeMask) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x4000 => "a directory",
            _ => "not a regular file",
        };
    }

    /// <summary>The group that owns <paramref name="path"/>; null when it cannot be examined.</summary>
    public static uint? GroupId(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = stackalloc byte[512];
        return TryStat(path, buffer) ? *(uint*)(buffer + GroupOffset) : null;
    }

    /// <summary>The effective and supplementary groups of this process; null where they cannot be asked.</summary>
    public static IReadOnlyCollection<uint>? ProcessGroupIds()
    {
        if (GetEgid is null || GetGroups is null)
        {
            return null;
        }

        var groups = new HashSet<uint> { GetEgid() };
        var count = GetGroups(0, null);
        if (count <= 0)
        {
            return groups;
        }

        var list = new uint[count];
        fixed (uint* p = list)
        {
            count = GetGroups(list.Length, p);
        }

        groups.UnionWith(list.Take(Math.Max(0, count)));
        return groups;
    }

    private static bool TryStat(string path, byte* buffer)
    {
        if (Stat is null && XStat is null)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return (Stat is not null ? Stat(p, buffer) : XStat(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0, p, buffer)) == 0;
        }
    }

    /// <summary>Throws what <paramref name="error"/> makes of the description when the path exists and is not a regular file.</summary>
    public static void Require(string path, Func<string, Exception> error)
    {
        if (NotRegular(path) is { } what)
        {
            throw error(what);
        }
    }
}
