using DatahubExporter.Telemetry;

namespace DatahubExporter.Tests.Telemetry;

public class IdleMemoryTrimmerTests
{
    private const long MiB = 1L << 20;

    [TestCase(0, 100, 50, true, TestName = "Quiet_after_growth_trims")]
    [TestCase(5, 100, 50, false, TestName = "Busy_does_not_trim_however_grown")]
    [TestCase(0, 55, 50, false, TestName = "Quiet_with_growth_under_the_threshold_does_not_trim")]
    [TestCase(0, 58, 50, false, TestName = "Growth_of_exactly_the_threshold_does_not_trim")]
    [TestCase(0, 59, 50, true, TestName = "Growth_past_the_threshold_trims")]
    public void Decision(long allocatedMiB, long committedMiB, long afterTrimMiB, bool expected) =>
        Assert.That(IdleMemoryTrimmer.ShouldTrim(allocatedMiB * MiB, committedMiB * MiB, afterTrimMiB * MiB, trimmedSinceStart: true), Is.EqualTo(expected));

    [TestCase(0, false, true, TestName = "The_first_quiet_check_after_start_trims_without_growth")]
    [TestCase(5, false, false, TestName = "A_busy_start_does_not_trim")]
    [TestCase(0, true, false, TestName = "Once_trimmed_only_growth_trims_again")]
    public void Start_up_trim(long allocatedMiB, bool trimmedSinceStart, bool expected) =>
        Assert.That(IdleMemoryTrimmer.ShouldTrim(allocatedMiB * MiB, 50 * MiB, 50 * MiB, trimmedSinceStart), Is.EqualTo(expected));

    [Test]
    public void The_C_allocator_trim_runs_on_glibc()
    {
        Assume.That(OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"), "glibc on x86-64 Linux only");

        Assert.That(NativeHeapTrim.Trim(), Is.True);
    }

    [Test]
    public void Checks_every_period_from_start()
    {
        var time = new TimerRecordingTime();

        using var trimmer = new IdleMemoryTrimmer(time);

        Assert.That(time.CreatedTimers, Is.EqualTo(new[] { IdleMemoryTrimmer.Period }));
    }
}
