namespace DatahubExporter.TencentCloud;

/// <summary>
/// When one attempt counts for the limiter (tencent-cloud-api.md §5: the API counts by arrival). From the moment
/// it left (<see cref="Left"/>, called by its <see cref="DepartingBody"/>), which is later than its turn when the
/// process had to load OpenSSL, compile the request path or open a connection first. When connections were opened
/// while it was being sent, it may be on a new one, which the far end takes up in its own time: then it counts
/// from its answer, the latest moment it can have arrived (<see cref="Answered"/>). An attempt that never left
/// counts from its turn; one that left but was never answered, from when it gave up (<see cref="Finish"/>).
/// The limiter hears exactly once; every moment is read from <paramref name="time"/>, the limiter's clock.
/// </summary>
internal sealed class Departure(LimiterLease lease, ConnectionWatch? connections, TimeProvider time)
{
    private readonly long _openedBefore = connections?.Opened ?? 0;
    private int _left;
    private int _reported;

    /// <summary>The request leaves now (its body is being written); only the first call counts.</summary>
    public void Left()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0 && (connections is null || connections.Opened == _openedBefore))
        {
            Report(time.GetTimestamp());
        }
    }

    /// <summary>Its answer begins to arrive now.</summary>
    public void Answered() => Report(time.GetTimestamp());

    /// <summary>The attempt is over, answered or not.</summary>
    public void Finish() => Report(Volatile.Read(ref _left) == 1 ? time.GetTimestamp() : lease.Start);

    private void Report(long at)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            lease.Departed(at);
        }
    }
}
