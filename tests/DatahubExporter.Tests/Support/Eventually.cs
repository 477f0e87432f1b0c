using System.Diagnostics;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The one poll-until of the tests: checks a condition every <c>interval</c> (20 ms by default) until it holds or
/// <c>timeout</c> (20 s by default, generous for a loaded CI machine) has passed, then fails the test saying what was
/// awaited. Bounded in time and, through the interval, in count. A helper that fails in its own words (with a log
/// tail, as <see cref="PrometheusServer"/> does) uses <see cref="TryHoldsAsync"/>.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout, interval);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        if (!await TryHoldsAsync(condition, timeout, interval))
        {
            Assert.Fail($"timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting until {what}");
        }
    }

    /// <summary>As <see cref="HoldsAsync(Func{Task{bool}}, string, TimeSpan?, TimeSpan?)"/>, but returns false on timeout
    /// instead of failing the test. An exception from <paramref name="condition"/> ends the wait and propagates.</summary>
    public static async Task<bool> TryHoldsAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed >= limit)
            {
                return false;
            }

            await Task.Delay(interval ?? DefaultInterval, cancellationToken);
        }

        return true;
    }
}
