using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.Support;

/// <summary>Turns whose request leaves the moment the turn comes, for tests that only look at how long a turn took.</summary>
internal static class LimiterTurns
{
    public static async ValueTask<TimeSpan> WaitedAsync(this RequestRateLimiter limiter, string action, string host, CancellationToken cancellationToken)
    {
        var turn = await limiter.WaitAsync(action, host, cancellationToken).ConfigureAwait(false);
        turn.Dispose();
        return turn.Waited;
    }
}
