using DatahubExporter.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace DatahubExporter.Tests.Telemetry;

public class LastMinuteCountTests
{
    [Test]
    public void Counts_the_events_of_the_last_sixty_seconds_only()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var count = new LastMinuteCount(time);

        count.Add();
        count.Add();
        time.Advance(TimeSpan.FromSeconds(30));
        count.Add();
        Assert.That(count.Sum(), Is.EqualTo(3));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(count.Sum(), Is.EqualTo(1), "the first two are a minute old");

        time.Advance(TimeSpan.FromMinutes(10));
        count.Add();
        Assert.That(count.Sum(), Is.EqualTo(1), "a slot reused ten minutes later starts from zero");
    }

    [Test]
    public void Api_metrics_count_each_attempt_of_the_last_minute_by_action()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var metrics = new ApiMetrics(time);

        metrics.RequestCompleted("DescribeDatahubTasks", "ap-guangzhou", "Success", 0.1);
        metrics.RequestCompleted("DescribeDatahubTasks", "ap-shanghai", "InternalError", 0.1);
        metrics.RequestCompleted("DescribeConnectResources", "ap-guangzhou", "Success", 0.1);

        Assert.That(metrics.RequestsLastMinute(), Is.EqualTo(new[] { ("DescribeConnectResources", 1L), ("DescribeDatahubTasks", 2L) }));
    }
}
