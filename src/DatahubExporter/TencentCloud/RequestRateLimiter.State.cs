namespace DatahubExporter.TencentCloud;

/// <summary>The state the limiter keeps per key.</summary>
internal sealed partial class RequestRateLimiter
{
    /// <summary>A caller in line for a turn, since <see cref="Since"/>.</summary>
    private sealed class Waiter(long since)
    {
        public long Since => since;

        public TaskCompletionSource<long> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

/// <summary>A request's turn at the limiter: when it could go (a timestamp of the limiter's clock; 0 when the
/// limiter is off) and how long the caller waited for it.</summary>
internal readonly record struct LimiterTurn(long Start, TimeSpan Waited);
