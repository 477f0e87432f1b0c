using Microsoft.Extensions.Hosting;

namespace DatahubExporter.Http;

/// <summary>
/// Gives memory back after a burst of requests. The GC only runs when something allocates, so once a burst of
/// scrapes is over nothing triggers the collection that would shrink the heap, and the process keeps its peak
/// resident size indefinitely (issue 8 row 9: 880 MB two minutes after an HTTP/2 burst). Every
/// <see cref="Interval"/> this looks at the GC: when the GC's committed memory has grown well past what it was after the last
/// trim and the allocation rate has dropped (the burst is over), it runs one aggressive, compacting
/// collection, which also returns the freed segments to the operating system. Between bursts it does nothing.
/// </summary>
internal sealed class IdleMemoryTrimmer(TimeProvider time) : BackgroundService
{
    /// <summary>How often the heap is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    /// <summary>Growth of the GC's committed memory since the last trim that is worth a trim.</summary>
    public const long SlackBytes = 24L * 1024 * 1024;

    /// <summary>Allocations per interval below which the process counts as quiet.</summary>
    public const long QuietBytes = 16L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
        long allocated = GC.GetTotalAllocatedBytes();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var nowAllocated = GC.GetTotalAllocatedBytes();
                var quiet = nowAllocated - allocated < QuietBytes;
                allocated = nowAllocated;
                var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
                if (quiet && ShouldTrim(committed, baseline))
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
                    allocated = GC.GetTotalAllocatedBytes();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>True when the GC holds more than <see cref="SlackBytes"/> beyond what it held after the last trim
    /// (or at start): a burst left memory behind.</summary>
    internal static bool ShouldTrim(long committedBytes, long baselineCommittedBytes) => committedBytes > baselineCommittedBytes + SlackBytes;
}
