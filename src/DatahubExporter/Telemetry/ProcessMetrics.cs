using System.Diagnostics;
using System.Globalization;
using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The standard <c>process_*</c> families (names and HELP as in the Prometheus client libraries) and a
/// few <c>dotnet_*</c> runtime families, for <c>/metrics</c>. On Linux they come from
/// <c>/proc/self/{stat,limits,fd}</c> (a few small reads, no <see cref="Process"/> object); elsewhere from
/// <see cref="Process"/>. A source that cannot be read leaves its families out rather than failing the
/// scrape. Thread-safe.
/// </summary>
internal static class ProcessMetrics
{
    // procfs reports times in USER_HZ ticks, 100 on every Linux ABI; prometheus/procfs assumes the same.
    private const double UserHz = 100;

    private static readonly IReadOnlyList<Label> NoLabels = [];

    private static long exceptions;
    private static int initialized;
    private static double? linuxStartTime;

    /// <summary>Starts counting exceptions for <c>dotnet_exceptions_total</c>; call once at start-up
    /// (idempotent, and <see cref="Collect"/> calls it too, so the count at worst starts at the first scrape).</summary>
    public static void Initialize()
    {
        if (Interlocked.Exchange(ref initialized, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref exceptions);
        }
    }

    public static IEnumerable<MetricFamily> Collect()
    {
        Initialize();
        var families = new List<MetricFamily>(16);
        if (!OperatingSystem.IsLinux() || !TryCollectLinux(families))
        {
            CollectPortable(families);
        }

        CollectRuntime(families);
        return families;
    }

    private static bool TryCollectLinux(List<MetricFamily> families)
    {
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/self/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // The command name (field 2) is in parentheses and may itself contain spaces and ')':
        // the fields that follow start after the last ')'. proc(5): utime 14, stime 15, starttime 22,
        // vsize 23, rss 24 — indexes 11, 12, 19, 20, 21 after the state field.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 22)
        {
            return false;
        }

        var cpuTicks = ParseLong(fields[11]) + ParseLong(fields[12]);
        families.Add(Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpuTicks / UserHz));
        families.Add(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", ParseLong(fields[20])));
        families.Add(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", (double)ParseLong(fields[21]) * Environment.SystemPageSize));

        linuxStartTime ??= BootTime() is { } boot ? boot + (ParseLong(fields[19]) / UserHz) : null;
        families.Add(Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", linuxStartTime ?? PortableStartTime()));

        try
        {
            // Counts the descriptor the enumeration itself holds, as every procfs-based exporter does.
            var open = Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
            families.Add(Gauge("process_open_fds", "Number of open file descriptors.", open));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left out: the family is optional
        }

        if (MaxOpenFiles() is { } max)
        {
            families.Add(Gauge("process_max_fds", "Maximum number of open file descriptors.", max));
        }

        return true;
    }

    private static void CollectPortable(List<MetricFamily> families)
    {
        using var process = Process.GetCurrentProcess();
        families.Add(Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds));
        families.Add(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", process.VirtualMemorySize64));
        families.Add(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64));
        families.Add(Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", PortableStartTime()));
        families.Add(Gauge("process_open_fds", "Number of open file descriptors.", process.HandleCount));
    }

    private static void CollectRuntime(List<MetricFamily> families)
    {
        var generations = new Sample[GC.MaxGeneration + 1];
        for (var generation = 0; generation < generations.Length; generation++)
        {
            generations[generation] = new Sample("dotnet_gc_collections_total",
                [new Label("generation", generation.ToString(CultureInfo.InvariantCulture))], GC.CollectionCount(generation));
        }

        families.Add(new MetricFamily("dotnet_gc_collections_total",
            "Garbage collections since process start, by generation (collecting a generation also collects the younger ones).",
            MetricType.Counter, generations));
        families.Add(Gauge("dotnet_gc_heap_size_bytes", "Bytes currently thought to be allocated on the managed heap.", GC.GetTotalMemory(false)));
        families.Add(Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since process start.", GC.GetTotalAllocatedBytes(false)));
        families.Add(Counter("dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection since process start.", GC.GetTotalPauseDuration().TotalSeconds));
        families.Add(Gauge("dotnet_threadpool_threads", "Number of thread pool threads.", ThreadPool.ThreadCount));
        families.Add(Gauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.", ThreadPool.PendingWorkItemCount));
        families.Add(Counter("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed since process start.", ThreadPool.CompletedWorkItemCount));
        families.Add(Counter("dotnet_exceptions_total", "Exceptions thrown (first chance, handled or not) since metrics were initialized.", Interlocked.Read(ref exceptions)));
        families.Add(Counter("dotnet_lock_contentions_total", "Times a thread waited for a contended Monitor lock since process start.", Monitor.LockContentionCount));
        families.Add(Counter("dotnet_jit_compiled_methods_total", "Methods compiled by the JIT since process start.", System.Runtime.JitInfo.GetCompiledMethodCount()));
    }

    private static double PortableStartTime()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    /// <summary>The <c>btime</c> line of <c>/proc/stat</c>: boot time in Unix seconds.</summary>
    private static double? BootTime()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal))
                {
                    return ParseLong(line.AsSpan(6).Trim().ToString());
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // fall back to Process.StartTime
        }

        return null;
    }

    /// <summary>The soft limit of "Max open files" in <c>/proc/self/limits</c>; null when unlimited or unreadable.</summary>
    private static double? MaxOpenFiles()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].TrimStart().Split(' ')[0];
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left out: the family is optional
        }

        return null;
    }

    private static long ParseLong(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static MetricFamily Gauge(string name, string help, double value) =>
        new(name, help, MetricType.Gauge, [new Sample(name, NoLabels, value)]);

    private static MetricFamily Counter(string name, string help, double value) =>
        new(name, help, MetricType.Counter, [new Sample(name, NoLabels, value)]);
}
