using DatahubExporter.TencentCloud;

namespace DatahubExporter.Tests.TencentCloud;

/// <summary>The margin concurrent paging needs on each rate-limit window (bursts whose arrival jitters).</summary>
public class RateLimitWindowGuardTests
{
    [Test]
    public async Task A_window_guard_makes_the_next_burst_wait_the_window_plus_the_guard()
    {
        var time = new TimerRecordingTime();
        var limiter = new RequestRateLimiter(2, time, TimeSpan.FromMilliseconds(50));
        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));
        Assert.That(await limiter.WaitedAsync("A", "r", CancellationToken.None), Is.EqualTo(TimeSpan.Zero));

        var third = limiter.WaitedAsync("A", "r", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1049));
        Assert.That(third.IsCompleted, Is.False, "a plain one-second window would have let it go");
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(await third.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromMilliseconds(1050)));
    }

    [Test]
    public void The_exporter_runs_its_client_with_a_window_guard_and_the_default_rate_of_20()
    {
        Assert.That(ExporterServices.RateLimitWindowGuard, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
        Assert.That(new DatahubExporter.Configuration.ExporterOptions().ApiRateLimit, Is.EqualTo(20));
    }
}
