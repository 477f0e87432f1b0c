namespace DatahubExporter.Tests;

/// <summary>The suite's progress lines (TestRunProgress.cs): a skipped test says why where CI's log shows it.</summary>
public class TestRunProgressTests
{
    [TestCase("Prometheus.SystemdUnitTests.Systemd_analyze_verify_reports_nothing", "systemd-analyze is not installed",
        "[progress] skipped Prometheus.SystemdUnitTests.Systemd_analyze_verify_reports_nothing: systemd-analyze is not installed")]
    [TestCase("A.B", "first line\n  second line\n", "[progress] skipped A.B: first line second line")]
    [TestCase("A.B", "", "[progress] skipped A.B: no reason given")]
    [TestCase("A.B", null, "[progress] skipped A.B: no reason given")]
    public void A_skipped_test_prints_its_reason_on_one_line(string test, string? reason, string expected)
    {
        Assert.That(TestRunProgressAttribute.SkipLine(test, reason), Is.EqualTo(expected));
    }
}
