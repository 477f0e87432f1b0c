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

    [TestCase(0, 0, "[progress]    98 s  EndToEnd.AccountsTests: 6 passed in 80.3 s")]
    [TestCase(1, 2, "[progress]    98 s  EndToEnd.AccountsTests: 6 passed, 1 FAILED, 2 skipped in 80.3 s")]
    public void A_finished_fixture_prints_its_counts_and_its_own_time(int failed, int skipped, string expected)
    {
        Assert.That(TestRunProgressAttribute.FixtureLine(97.6, "EndToEnd.AccountsTests", 6, failed, skipped, 80.31), Is.EqualTo(expected));
    }
}
