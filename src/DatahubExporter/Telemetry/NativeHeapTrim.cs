using System.Runtime.InteropServices;

namespace DatahubExporter.Telemetry;

/// <summary>
/// Hands the free memory glibc's allocator keeps back to the system (<c>malloc_trim(0)</c>). Native code behind
/// the managed APIs (zlib for gzip answers, OpenSSL for TLS and request signing, the JIT in the framework-dependent
/// build) frees its buffers into per-thread arenas that glibc returns only when their top is free, so after a
/// burst they stay resident. A no-op where there is no glibc (musl, other systems). Thread-safe.
/// </summary>
internal static unsafe class NativeHeapTrim
{
    private static readonly delegate* unmanaged<nuint, int> MallocTrim = Find();

    /// <summary>Returns free arena memory to the system; false when there is no <c>malloc_trim</c>.</summary>
    public static bool Trim()
    {
        if (MallocTrim == null)
        {
            return false;
        }

        _ = MallocTrim(0);
        return true;
    }

    private static delegate* unmanaged<nuint, int> Find()
    {
        if (OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim))
        {
            return (delegate* unmanaged<nuint, int>)trim;
        }

        return null;
    }
}
