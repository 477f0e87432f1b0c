namespace DatahubExporter.Collectors;

/// <summary>
/// Hands memory back once collections stop. A sweep of 10,000 tasks or a burst of scrapers leaves tens of
/// megabytes of garbage, much of it on the large-object heap, which the GC collects only in a full
/// collection and, even then, keeps committed for the next burst: the process sat at its peak for good.
/// A few seconds after the last collection finished, with none running, one compacting full collection in
/// aggressive mode decommits what is free. It costs a few milliseconds per quiet period, not per scrape.
/// </summary>
internal sealed class IdleCompaction : IDisposable
{
    private readonly TimeSpan _delay;
    private readonly ITimer? _timer;
    private int _running;

    public IdleCompaction(TimeSpan delay, TimeProvider time)
    {
        _delay = delay;
        if (delay > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(_ => Compact(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>How many compactions ran (for tests).</summary>
    public int Compactions { get; private set; }

    public void CollectionStarted() => Interlocked.Increment(ref _running);

    public void CollectionFinished()
    {
        Interlocked.Decrement(ref _running);
        // Every finished collection pushes the compaction back: it runs only after a quiet period.
        _timer?.Change(_delay, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer?.Dispose();

    private void Compact()
    {
        if (Volatile.Read(ref _running) > 0)
        {
            return;
        }

        Compactions++;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
