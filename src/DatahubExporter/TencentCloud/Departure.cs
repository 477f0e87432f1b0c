namespace DatahubExporter.TencentCloud;

/// <summary>
/// When one attempt counts for the limiter (tencent-cloud-api.md §5: the API counts by arrival). From the moment
/// it left (<see cref="Left"/>, called by its <see cref="DepartingBody"/>), which is later than its turn when the
/// process had to load OpenSSL, compile the request path or open a connection first. When connections were opened
/// while it was being sent, it may be on a new one, which the far end takes up in its own time: then it counts
/// from its answer, the latest moment it can have arrived (<see cref="Answered"/>). An attempt that never left
/// counts from its turn; one that left but was never answered, from when it gave up (<see cref="Finish"/>).
/// The limiter hears exactly once.
/// </summary>
internal sealed class Departure(RequestRateLimiter limiter, string action, string host, LimiterTurn turn, ConnectionWatch? connections)
{
    private readonly long _openedBefore = connections?.Opened ?? 0;
    private int _left;
    private int _reported;

    /// <summary>The request left at <paramref name="at"/> (a timestamp of the limiter's clock).</summary>
    public void Left(long at)
    {
        Volatile.Write(ref _left, 1);
        if (connections is null || connections.Opened == _openedBefore)
        {
            Report(at);
        }
    }

    /// <summary>Its answer began to arrive at <paramref name="at"/>.</summary>
    public void Answered(long at) => Report(at);

    /// <summary>The attempt is over, at <paramref name="now"/>, answered or not.</summary>
    public void Finish(long now) => Report(Volatile.Read(ref _left) == 1 ? now : turn.Start);

    private void Report(long at)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            limiter.Departed(action, host, turn, at);
        }
    }
}
