using System.Diagnostics;
using DatahubExporter.Configuration;

namespace DatahubExporter.Tests.Configuration;

public class NameFilterTests
{
    [TestCase("prod-orders", true)]
    [TestCase("prod-canary", false)]
    [TestCase("test-prod-orders", false)]
    [TestCase("", false)]
    public void Patterns_are_anchored_and_exclude_wins(string name, bool kept)
    {
        var filter = NameFilter.Create("prod-.*", ".*-canary");

        Assert.That(filter.Keeps(name), Is.EqualTo(kept));
    }

    [Test]
    public void A_pathological_pattern_times_out_once_then_keeps_every_item_without_matching()
    {
        // Catastrophic backtracking: each match on such a name runs into the 50 ms match timeout.
        var filter = NameFilter.Create("(a+)+b", null);
        var name = new string('a', 40) + "!";
        var clock = Stopwatch.StartNew();

        var kept = Enumerable.Range(0, 1_000).Count(_ => filter.Keeps(name));

        // Without the cool-off, 1,000 items would take at least 50 s; with it, one timeout and then nothing.
        Assert.That(kept, Is.EqualTo(1_000), "an item whose match timed out is kept");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }
}
