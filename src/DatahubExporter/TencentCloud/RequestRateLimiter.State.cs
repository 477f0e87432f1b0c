namespace DatahubExporter.TencentCloud;

/// <summary>The state the limiter keeps per key.</summary>
internal sealed partial class RequestRateLimiter
{
    /// <summary>A caller in line for a turn, since <see cref="Since"/>.</summary>
    private sealed class Waiter(long since)
    {
        public long Since => since;

        public TaskCompletionSource<LimiterLease> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One key's permits, line and AIMD state; guarded by locking the instance.</summary>
    private sealed class KeyState
    {
        /// <summary>When the latest requests left, oldest first.</summary>
        public List<long> Departures { get; } = [];

        /// <summary>Turns given whose request has not left yet.</summary>
        public int Pending { get; set; }

        public LinkedList<Waiter> Waiters { get; } = new();

        public long LastTurn { get; set; }

        public ITimer? Timer { get; set; }

        public long TimerDue { get; set; }

        /// <summary>The rate right after the last refusal; recovery is counted from <see cref="LastRefusal"/>.</summary>
        public double Base { get; set; }

        public long? LastRefusal { get; set; }

        public long NotBefore { get; set; }

        public double Rate(long now, double configured, long frequency) =>
            LastRefusal is long last
                ? Math.Min(configured, Base + RecoveryPerSecond * Math.Max(0, now - last) / frequency)
                : configured;
    }
}

/// <summary>
/// A request's turn at the limiter, created the moment the turn is granted: when it could go (a timestamp of the
/// limiter's clock; 0 when the limiter is off) and how long the caller waited for it. It holds one permit until it
/// reports, exactly once, when its request counts: <see cref="Departed"/>, or on <see cref="Dispose"/> from its turn
/// (a request that never left). Held by a <c>using</c>, so no exception between the turn and the send leaks a permit.
/// </summary>
internal sealed class LimiterLease : IDisposable
{
    /// <summary>The lease of a limiter that is off: it holds nothing and reports nothing.</summary>
    public static readonly LimiterLease None = new(null, null, 0, TimeSpan.Zero);

    private readonly RequestRateLimiter? _limiter;
    private readonly object? _key;
    private int _reported;

    internal LimiterLease(RequestRateLimiter? limiter, object? key, long start, TimeSpan waited)
    {
        _limiter = limiter;
        _key = key;
        Start = start;
        Waited = waited;
        _reported = limiter is null ? 1 : 0;
    }

    public long Start { get; }

    public TimeSpan Waited { get; }

    /// <summary>The request left at <paramref name="at"/> (a timestamp of the limiter's clock; its turn when it never
    /// left): the permit comes back one window after that. Only the first report, of this or <see cref="Dispose"/>,
    /// counts.</summary>
    public void Departed(long at)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            _limiter!.Return(_key!, Math.Max(at, Start));
        }
    }

    /// <summary>Reports from the turn unless the lease already reported.</summary>
    public void Dispose() => Departed(Start);
}
