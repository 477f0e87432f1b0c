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

    [TestCase("(x+x+)+y")]
    [TestCase("(a+)+b")]
    public void A_pattern_that_backtracks_exponentially_still_excludes_what_it_does_not_match(string pattern)
    {
        // Issue 16 item 6: with backtracking each match ran into its timeout and the filter kept every task.
        var filter = NameFilter.Create(pattern, null);
        var names = new[] { new string('x', 50), new string('a', 40) + "!", new string('x', 49) + "y" };

        Assert.That(names.Where(filter.Keeps), Is.EqualTo(pattern == "(x+x+)+y" ? new[] { new string('x', 49) + "y" } : Array.Empty<string>()));
    }

    [TestCase(@"(a)\1")]
    [TestCase("(?=prod)prod-.*")]
    [TestCase("(?>prod)-.*")]
    public void Constructs_that_need_backtracking_are_refused(string pattern)
    {
        Assert.Throws<NotSupportedException>(() => NameFilter.Create(pattern, null));
    }
}
