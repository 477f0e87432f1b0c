using System.Collections.Concurrent;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Spaces requests per (action, region) at least 1/rate apart: Tencent counts its limit per action and
/// access region (tencent-cloud-api.md §5), so one key per pair. Each caller reserves the next free slot
/// under a small lock and then waits outside it, so waiting is async, cancellable and in arrival order.
/// A burst of one keeps the client strictly under the server's window whatever that window's alignment.
/// </summary>
internal sealed class RequestRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly ConcurrentDictionary<(string Action, string Region), Slot> _slots = new();

    public RequestRateLimiter(double perSecond, TimeProvider time)
    {
        _time = time;
        // NaN, infinity, zero and negatives all mean "no limiter".
        _intervalTicks = perSecond > 0 && double.IsFinite(perSecond)
            ? Math.Max(1, (long)Math.Ceiling(time.TimestampFrequency / perSecond))
            : 0;
    }

    public bool IsEnabled => _intervalTicks > 0;

    /// <summary>Waits for this request's slot; returns how long it waited (zero when it did not).</summary>
    public async ValueTask<TimeSpan> WaitAsync(string action, string region, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return TimeSpan.Zero;
        }
        cancellationToken.ThrowIfCancellationRequested();
        var slot = _slots.GetOrAdd((action, region), static _ => new Slot());
        var now = _time.GetTimestamp();
        long start;
        lock (slot)
        {
            start = Math.Max(now, slot.Next);
            slot.Next = start + _intervalTicks;
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
            lock (slot)
            {
                // Hand the slot back when nobody queued behind it, so abandoned waits do not push later callers out.
                if (slot.Next == start + _intervalTicks)
                {
                    slot.Next = start;
                }
            }
            throw;
        }
        return wait;
    }

    private sealed class Slot
    {
        public long Next;
    }
}
