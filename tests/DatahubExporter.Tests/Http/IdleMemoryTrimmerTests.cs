using DatahubExporter.Http;

namespace DatahubExporter.Tests.Http;

public class IdleMemoryTrimmerTests
{
    private const long MiB = 1024 * 1024;

    [TestCase(100 * MiB, 100 * MiB, false)]
    [TestCase(124 * MiB, 100 * MiB, false)]
    [TestCase(125 * MiB, 100 * MiB, true)]
    [TestCase(900 * MiB, 80 * MiB, true)]
    public void Trims_only_when_a_burst_left_more_than_the_slack_behind(long committed, long baseline, bool trim)
    {
        Assert.That(IdleMemoryTrimmer.ShouldTrim(committed, baseline), Is.EqualTo(trim));
    }
}
