using DatahubExporter.Telemetry;

namespace DatahubExporter.Tests.Telemetry;

public class IdleMemoryTrimmerTests
{
    private const long MiB = 1L << 20;

    [TestCase(0, 100, 50, true, TestName = "Quiet_after_growth_trims")]
    [TestCase(5, 100, 50, false, TestName = "Busy_does_not_trim_however_grown")]
    [TestCase(0, 60, 50, false, TestName = "Quiet_without_growth_does_not_trim")]
    [TestCase(0, 66, 50, false, TestName = "Growth_of_exactly_the_threshold_does_not_trim")]
    [TestCase(0, 67, 50, true, TestName = "Growth_past_the_threshold_trims")]
    public void Decision(long allocatedMiB, long committedMiB, long afterTrimMiB, bool expected) =>
        Assert.That(IdleMemoryTrimmer.ShouldTrim(allocatedMiB * MiB, committedMiB * MiB, afterTrimMiB * MiB), Is.EqualTo(expected));

    [Test]
    public void Checks_every_period_from_start()
    {
        var time = new TimerRecordingTime();

        using var trimmer = new IdleMemoryTrimmer(time);

        Assert.That(time.CreatedTimers, Is.EqualTo(new[] { IdleMemoryTrimmer.Period }));
    }
}
