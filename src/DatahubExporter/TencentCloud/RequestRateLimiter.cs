using System.Collections.Concurrent;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// A sliding-window limit per (action, region): Tencent counts its limit per action and access region in
/// windows of server arrival time (tencent-cloud-api.md §5), so no window of <c>N / rate</c> seconds ever
/// holds more than <c>N = ⌊rate⌋</c> request starts here (one second at any rate of 1/s or more). A sweep of
/// up to N pages therefore goes at network speed, and a longer one still never exceeds the rate in any window
/// — unlike a token bucket, whose burst plus refill can reach twice the rate within one second.
/// Each caller reserves its start under a small lock and waits outside it: async, cancellable, in arrival order.
/// </summary>
internal sealed class RequestRateLimiter
{
    private readonly TimeProvider _time;
    private readonly int _perWindow;
    private readonly long _windowTicks;
    private readonly ConcurrentDictionary<(string Action, string Host), List<long>> _starts = new();

    /// <param name="windowGuard">Added to every window. Starts admitted in a burst reach the API spread over
    /// a few milliseconds (new connections, scheduling), while the next burst arrives promptly; without a
    /// margin the API's window by arrival time sees more than the rate and answers RequestLimitExceeded.</param>
    public RequestRateLimiter(double perSecond, TimeProvider time, TimeSpan windowGuard = default)
    {
        _time = time;
        // NaN, infinity, zero and negatives all mean "no limiter".
        if (perSecond > 0 && double.IsFinite(perSecond))
        {
            _perWindow = perSecond >= 1 ? (int)Math.Min(Math.Floor(perSecond), 10_000) : 1;
            _windowTicks = Math.Max(1, (long)Math.Ceiling(time.TimestampFrequency * _perWindow / perSecond))
                + (long)(Math.Max(0, windowGuard.TotalSeconds) * time.TimestampFrequency);
        }
    }

    public bool IsEnabled => _windowTicks > 0;

    /// <summary>Waits for this request's turn; returns how long it waited (zero when it did not).</summary>
    public async ValueTask<TimeSpan> WaitAsync(string action, string host, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return TimeSpan.Zero;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var starts = _starts.GetOrAdd((action, host), static _ => new List<long>());
        var now = _time.GetTimestamp();
        long start;
        lock (starts)
        {
            // Starts only ever grow, so the N-th latest decides: this one may begin one window after it.
            start = starts.Count >= _perWindow ? Math.Max(now, starts[^_perWindow] + _windowTicks) : now;
            starts.Add(start);
            // Twice the window's worth is kept, so a cancelled reservation can be handed back without
            // forgetting a start that still counts.
            if (starts.Count > 2 * _perWindow)
            {
                starts.RemoveRange(0, starts.Count - 2 * _perWindow);
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
            lock (starts)
            {
                // Hand the reservation back when nobody queued behind it, so abandoned waits do not push later callers out.
                if (starts.Count > 0 && starts[^1] == start)
                {
                    starts.RemoveAt(starts.Count - 1);
                }
            }
            throw;
        }
        return wait;
    }
}
