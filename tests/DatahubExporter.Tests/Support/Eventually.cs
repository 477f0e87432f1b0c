using System.Diagnostics;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The one poll-until of the tests: checks a condition every <c>interval</c> until it holds or <c>timeout</c>
/// (20 s by default, generous for a loaded CI machine) has passed, then fails the test saying what was awaited.
/// Bounded in time and, through the interval, in count.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout, interval);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed >= limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s waiting until {what}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20));
        }
    }
}
