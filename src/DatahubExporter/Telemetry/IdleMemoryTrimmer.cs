namespace DatahubExporter.Telemetry;

/// <summary>
/// Gives memory back once a burst of scrapes is over. The GC only runs when something allocates, so after a load
/// peak (many concurrent scrapers, a huge sweep) an exporter that goes back to a scrape every 15 s keeps the peak's
/// committed heap for a long time. Every <see cref="Period"/> this checks whether the process was quiet (allocated
/// less than <see cref="QuietBytes"/> since the last check) while the GC heap has grown by
/// <see cref="GrowthBytes"/> since the last trim; only then it runs one aggressive full collection, which
/// compacts and decommits the free space, and then returns the C allocator's free memory
/// (<see cref="NativeHeapTrim"/>). The first quiet check after start-up trims once whatever the growth: start-up
/// garbage (host, DI, command line) otherwise keeps a whole 4 MiB GC region resident.
/// </summary>
/// <remarks>
/// <para>The only idle-memory mechanism. The collection engine used to have a second one, a compaction 5 s after
/// the last collection finished. Measured with <c>tests/scripts/footprint.sh</c> (framework-dependent build, one
/// run each, RSS in MiB 25 s after three 10,000-task sweeps / 30 s after 50 scrapers): both 91.5 / 113.9, this
/// trimmer alone 91.6 / 114.9, the compaction alone 93.3 / 114.9, neither 102.3 / 164.9. Equal within noise, so
/// this one stays: it looks at the heap rather than at collections, so it also gives memory back after a burst
/// that started no collection (cached answers, <c>/metrics</c>, refused logins).</para>
/// <para>Measured 2-3 s after three sweeps of both paths against 10,000 tasks (one run each, RSS in MiB, native /
/// framework-dependent): 10 s period and 16 MiB growth 38.8 / 91.8 (no trim yet: a sweep grows the heap by 8-12
/// MiB); 1 s and 8 MiB 27.2 / 84.8; plus malloc_trim 27.7 / 81.3. Native idle RSS with the start-up trim 21.1 ->
/// 19.1. With 10,000 tasks it now fires once after each sweep: one blocking collection of a heap of about 5 MiB
/// live data.</para>
/// <para>Thread-safe: a check that finds the previous one still running does nothing.</para>
/// </remarks>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    /// <summary>One second, so memory is back within about two seconds of a sweep or a burst ending. A check is two
    /// counter reads.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>An idle exporter answering health probes allocates a few KB per period; a sweep of 10,000 tasks, MBs
    /// every second while its pages arrive.</summary>
    public const long QuietBytes = 1L << 20;

    /// <summary>Twice the 4 MiB gen0 budget, so a small scrape does not count as growth, while one 10,000-task
    /// sweep (8-12 MiB of committed heap) does.</summary>
    public const long GrowthBytes = 8L << 20;

    private readonly ITimer _timer;
    private long _allocatedAtLastCheck;
    private long _committedAfterTrim;
    private bool _trimmedSinceStart;
    private int _checking;

    public IdleMemoryTrimmer(TimeProvider time)
    {
        _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
        _committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        _timer = time.CreateTimer(_ => Check(), null, Period, Period);
    }

    /// <summary>The decision alone: quiet since the last check, and either no trim since start-up yet or grown by
    /// more than <see cref="GrowthBytes"/> since the last one.</summary>
    public static bool ShouldTrim(long allocatedSinceLastCheck, long committedNow, long committedAfterLastTrim, bool trimmedSinceStart) =>
        allocatedSinceLastCheck < QuietBytes && (!trimmedSinceStart || committedNow - committedAfterLastTrim > GrowthBytes);

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            CheckOnce();
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private void CheckOnce()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var since = allocated - _allocatedAtLastCheck;
        _allocatedAtLastCheck = allocated;
        if (!ShouldTrim(since, committed, _committedAfterTrim, _trimmedSinceStart))
        {
            // A heap that shrank on its own lowers the mark, so that later growth is measured from there.
            _committedAfterTrim = Math.Min(_committedAfterTrim, committed);
            return;
        }

        // Aggressive: compacts every generation, the large object heap included, and decommits what is free.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeapTrim.Trim();
        _trimmedSinceStart = true;
        _committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        _allocatedAtLastCheck = GC.GetTotalAllocatedBytes();
    }
}
