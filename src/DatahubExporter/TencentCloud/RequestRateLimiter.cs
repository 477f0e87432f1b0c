using System.Collections.Concurrent;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// A sliding-window limit per (action, API host): Tencent counts its limit per action and access region in
/// windows of server arrival time (tencent-cloud-api.md §5), so no window of <c>N / rate</c> seconds ever
/// holds more than <c>N = ⌊rate⌋</c> departures here (one second at any rate of 1/s or more). A sweep of up to N
/// pages therefore goes at network speed, and a longer one still never exceeds the rate in any window — unlike a
/// token bucket, whose burst plus refill can reach twice the rate within one second.
/// </summary>
/// <remarks>
/// <para>The window counts when requests left, not when their turn came: a request that leaves late (a fresh
/// process's first call loads OpenSSL and compiles the request path; a burst opens new connections) arrives late,
/// and a turn counted from the earlier moment lets the next window's requests reach the API less than a window
/// after it. So N permits go round: a turn takes one, and it comes back one window after the request left
/// (<see cref="LimiterLease.Departed"/>; the lease reports exactly once, and when disposed without a departure the
/// request counts from its turn, so a throw anywhere before the send cannot leak a permit).
/// While N requests have their turn but have not left, nobody else goes. Turns are given in arrival order;
/// a turn's time is the earliest moment it could go, even when the permit's return was heard later.</para>
/// <para>The rate of each key adapts (additive increase, multiplicative decrease): <see cref="Refused"/> — the API
/// answered <c>RequestLimitExceeded</c>, because other clients share the key — halves that key's rate, at most
/// once per <see cref="RefusalWindow"/> so that a burst of refusals for requests already in flight counts as
/// one, and never below <see cref="MinimumRate"/>. Every quiet second then adds <see cref="RecoveryPerSecond"/>
/// back, up to the configured rate. The rate is computed from the clock when asked.</para>
/// </remarks>
internal sealed partial class RequestRateLimiter
{
    /// <summary>Tencent's limit window (§5): a refused request is not retried sooner than this.</summary>
    public static readonly TimeSpan RefusalWindow = TimeSpan.FromSeconds(1);

    /// <summary>The lowest rate a refusal can push a key to, in requests per second.</summary>
    public const double MinimumRate = 1;

    /// <summary>Requests per second given back per second without a refusal.</summary>
    public const double RecoveryPerSecond = 1;

    private readonly TimeProvider _time;
    private readonly double _configured;
    private readonly int _maxPerWindow;
    private readonly long _guardTicks;
    private readonly ConcurrentDictionary<(string Action, string Host), KeyState> _keys = new();

    /// <param name="windowGuard">Added to every window. Requests that leave together reach the API spread over a
    /// few milliseconds (scheduling, the network), while the next burst may arrive promptly; without a margin the
    /// API's window by arrival time sees more than the rate and answers RequestLimitExceeded.</param>
    public RequestRateLimiter(double perSecond, TimeProvider time, TimeSpan windowGuard = default)
    {
        _time = time;
        // NaN, infinity, zero and negatives all mean "no limiter".
        if (perSecond > 0 && double.IsFinite(perSecond))
        {
            _configured = Math.Min(perSecond, 10_000);
            _maxPerWindow = Math.Max(1, (int)Math.Floor(_configured));
            _guardTicks = (long)(Math.Max(0, windowGuard.TotalSeconds) * time.TimestampFrequency);
        }
    }

    public bool IsEnabled => _configured > 0;

    /// <summary>Waits for this request's turn (async, cancellable, in arrival order); returns it as a lease with how
    /// long it waited (zero when it did not). The caller disposes the lease (<c>using</c>), and tells it when the
    /// request left if it did.</summary>
    public async ValueTask<LimiterLease> WaitAsync(string action, string host, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return LimiterLease.None;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var key = Key(action, host);
        var now = _time.GetTimestamp();
        LinkedListNode<Waiter> node;
        lock (key)
        {
            if (key.Waiters.Count == 0 && Earliest(key, now, now) is long at && at <= now)
            {
                key.Pending++;
                key.LastTurn = now;
                return new LimiterLease(this, key, now, TimeSpan.Zero);
            }
            node = key.Waiters.AddLast(new Waiter(now));
            Pump(key, now);
        }
        try
        {
            return await node.Value.Turn.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (key)
            {
                if (node.List is not null)
                {
                    // Still waiting: step out of the line, so abandoned waits do not push later callers out.
                    key.Waiters.Remove(node);
                    Pump(key, _time.GetTimestamp());
                }
                else if (node.Value.Turn.Task.IsCompletedSuccessfully)
                {
                    // The turn came as the wait was cancelled: nothing left, so it counts from its turn.
                    node.Value.Turn.Task.Result.Dispose();
                }
            }
            throw;
        }
    }

    /// <summary>A lease of <paramref name="key"/> reports that its request left at <paramref name="departed"/> (a
    /// timestamp of this limiter's clock): its permit comes back one window after that. Once per lease.</summary>
    internal void Return(object key, long departed)
    {
        var state = (KeyState)key;
        lock (state)
        {
            Release(state, departed);
            Pump(state, _time.GetTimestamp());
        }
    }

    /// <summary>The API refused a request of this key for its rate: halve the key's rate (at most once per
    /// <see cref="RefusalWindow"/>) and let no request of the key start within <see cref="RefusalWindow"/>
    /// from now. Returns the key's rate afterwards.</summary>
    public double Refused(string action, string host)
    {
        if (!IsEnabled)
        {
            return 0;
        }
        var key = Key(action, host);
        var now = _time.GetTimestamp();
        var window = (long)(RefusalWindow.TotalSeconds * _time.TimestampFrequency);
        lock (key)
        {
            var rate = key.Rate(now, _configured, _time.TimestampFrequency);
            if (key.LastRefusal is not long last || now - last >= window)
            {
                rate = Math.Max(Math.Min(MinimumRate, _configured), rate / 2);
                key.Base = rate;
                key.LastRefusal = now;
            }
            // The guard here too: the refused request's window started when it reached the API, and a retry that
            // arrives a hair under one second later (clock granularity, scheduling) would be refused again.
            key.NotBefore = Math.Max(key.NotBefore, now + window + _guardTicks);
            return rate;
        }
    }

    /// <summary>The current rate of every key used so far, sorted by action then host.</summary>
    public IReadOnlyList<(string Action, string Host, double Rate)> Rates()
    {
        if (!IsEnabled)
        {
            return [];
        }
        var now = _time.GetTimestamp();
        var rates = new List<(string, string, double)>();
        foreach (var ((action, host), key) in _keys)
        {
            lock (key)
            {
                rates.Add((action, host, key.Rate(now, _configured, _time.TimestampFrequency)));
            }
        }
        return rates.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ToList();
    }

    /// <summary>The current rate of one key (the configured rate for a key never refused).</summary>
    public double Rate(string action, string host)
    {
        if (!IsEnabled)
        {
            return 0;
        }
        var key = Key(action, host);
        lock (key)
        {
            return key.Rate(_time.GetTimestamp(), _configured, _time.TimestampFrequency);
        }
    }

    private KeyState Key(string action, string host) => _keys.GetOrAdd((action, host), static _ => new KeyState());

    /// <summary>The earliest moment, not before <paramref name="from"/>, at which the key has a permit free at the
    /// rate of <paramref name="now"/>; null while every permit is held by a request that has not left.</summary>
    private long? Earliest(KeyState key, long from, long now)
    {
        var rate = key.Rate(now, _configured, _time.TimestampFrequency);
        var perWindow = rate >= 1 ? (int)Math.Floor(rate) : 1;
        var windowTicks = Math.Max(1, (long)Math.Ceiling(_time.TimestampFrequency * perWindow / rate)) + _guardTicks;
        var free = perWindow - key.Pending;
        if (free <= 0)
        {
            return null;
        }
        // After a refusal nothing starts before the API's window has passed; turns never go back in time.
        var at = Math.Max(from, Math.Max(key.NotBefore, key.LastTurn));
        var departures = key.Departures;
        // A permit is free once fewer than `free` departures lie within one window before the moment.
        return departures.Count >= free ? Math.Max(at, departures[^free] + windowTicks) : at;
    }

    /// <summary>Gives turns to the waiters at the head of the line whose moment has come, and sets the timer for the
    /// next one. Under the key's lock.</summary>
    private void Pump(KeyState key, long now)
    {
        while (key.Waiters.First is { } head)
        {
            if (Earliest(key, head.Value.Since, now) is not long at)
            {
                // Every permit is out with a request that has not left: its departure pumps again.
                break;
            }
            if (at > now)
            {
                if (key.TimerDue != at)
                {
                    key.Timer?.Dispose();
                    key.TimerDue = at;
                    key.Timer = _time.CreateTimer(static state =>
                    {
                        var (limiter, k) = ((RequestRateLimiter, KeyState))state!;
                        limiter.OnTimer(k);
                    }, (this, key), _time.GetElapsedTime(now, at), Timeout.InfiniteTimeSpan);
                }
                return;
            }
            key.Waiters.RemoveFirst();
            key.Pending++;
            key.LastTurn = at;
            // The lease exists from this moment: whatever the caller does next, disposing it returns the permit.
            head.Value.Turn.TrySetResult(new LimiterLease(this, key, at, _time.GetElapsedTime(head.Value.Since, at)));
        }
        key.Timer?.Dispose();
        key.Timer = null;
        key.TimerDue = 0;
    }

    private void OnTimer(KeyState key)
    {
        lock (key)
        {
            key.TimerDue = 0;
            Pump(key, _time.GetTimestamp());
        }
    }

    /// <summary>A permit comes back: the request left at <paramref name="departed"/>. Under the key's lock.</summary>
    private void Release(KeyState key, long departed)
    {
        // Never below zero, even if a caller reported one turn twice: the permits must not grow past N.
        key.Pending = Math.Max(0, key.Pending - 1);
        var departures = key.Departures;
        var at = departures.Count;
        while (at > 0 && departures[at - 1] > departed)
        {
            at--;
        }
        departures.Insert(at, departed);
        // Only the latest N departures can hold a permit (N at most the configured rate).
        if (departures.Count > _maxPerWindow)
        {
            departures.RemoveRange(0, departures.Count - _maxPerWindow);
        }
    }
}
