using System.Collections.Concurrent;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// A sliding-window limit per (action, API host): Tencent counts its limit per action and access region in
/// windows of server arrival time (tencent-cloud-api.md §5), so no window of <c>N / rate</c> seconds ever
/// holds more than <c>N = ⌊rate⌋</c> request starts here (one second at any rate of 1/s or more). A sweep of
/// up to N pages therefore goes at network speed, and a longer one still never exceeds the rate in any window
/// — unlike a token bucket, whose burst plus refill can reach twice the rate within one second.
/// Each caller reserves its start under a small lock and waits outside it: async, cancellable, in arrival order,
/// safe for any number of concurrent callers.
/// </summary>
/// <remarks>
/// The rate of each key adapts (additive increase, multiplicative decrease): <see cref="Refused"/> — the API
/// answered <c>RequestLimitExceeded</c>, because other clients share the key — halves that key's rate, at most
/// once per <see cref="RefusalWindow"/> so that a burst of refusals for requests already in flight counts as
/// one, and never below <see cref="MinimumRate"/>. Every quiet second then adds <see cref="RecoveryPerSecond"/>
/// back, up to the configured rate. The rate is computed from the clock when asked, so no timer runs.
/// </remarks>
internal sealed class RequestRateLimiter
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

    /// <param name="windowGuard">Added to every window. Starts admitted in a burst reach the API spread over
    /// a few milliseconds (new connections, scheduling), while the next burst arrives promptly; without a
    /// margin the API's window by arrival time sees more than the rate and answers RequestLimitExceeded.</param>
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

    /// <summary>Waits for this request's turn; returns how long it waited (zero when it did not).</summary>
    public async ValueTask<TimeSpan> WaitAsync(string action, string host, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return TimeSpan.Zero;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var key = Key(action, host);
        var now = _time.GetTimestamp();
        long start;
        lock (key)
        {
            var rate = key.Rate(now, _configured, _time.TimestampFrequency);
            var perWindow = rate >= 1 ? (int)Math.Floor(rate) : 1;
            var windowTicks = Math.Max(1, (long)Math.Ceiling(_time.TimestampFrequency * perWindow / rate)) + _guardTicks;
            var starts = key.Starts;
            // Starts only ever grow, so the N-th latest decides: this one may begin one window after it.
            start = starts.Count >= perWindow ? Math.Max(now, starts[^perWindow] + windowTicks) : now;
            // After a refusal nothing starts before the API's window has passed; and never before a start already
            // reserved, so the list stays in order when a recovering rate shortens the window.
            start = Math.Max(start, Math.Max(key.NotBefore, starts.Count > 0 ? starts[^1] : 0));
            starts.Add(start);
            // Twice the largest window's worth is kept, so a cancelled reservation can be handed back without
            // forgetting a start that still counts.
            if (starts.Count > 2 * _maxPerWindow)
            {
                starts.RemoveRange(0, starts.Count - 2 * _maxPerWindow);
            }
        }
        if (start <= now)
        {
            return TimeSpan.Zero;
        }
        var wait = _time.GetElapsedTime(now, start);
        try
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (key)
            {
                // Hand the reservation back when nobody queued behind it, so abandoned waits do not push later callers out.
                if (key.Starts.Count > 0 && key.Starts[^1] == start)
                {
                    key.Starts.RemoveAt(key.Starts.Count - 1);
                }
            }
            throw;
        }
        return wait;
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

    /// <summary>One key's reservations and AIMD state; guarded by locking the instance.</summary>
    private sealed class KeyState
    {
        public List<long> Starts { get; } = [];

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
