using DatahubExporter.Cli;

namespace DatahubExporter.Tests.Cli;

public class KnownRegionsTests
{
    [TestCase("ap-guangzou", "ap-guangzhou")]
    [TestCase("ap-shangahi", "ap-shanghai")]
    [TestCase("na-siliconvaley", "na-siliconvalley")]
    [TestCase("ap-shanghai-fs", "ap-shanghai-fsi")]
    [TestCase("xx-newregion-1", null)]
    public void A_typo_gets_the_nearest_known_region(string region, string? expected)
    {
        Assert.That(KnownRegions.Closest(region), Is.EqualTo(expected));
    }

    [Test]
    public void Only_unknown_regions_are_warned_about()
    {
        Assert.That(KnownRegions.Warnings(["ap-guangzhou", "ap-guangzou", "ap-shanghai-fsi"]), Is.EqualTo(new[]
        {
            "region \"ap-guangzou\" is not a known Tencent Cloud region; did you mean ap-guangzhou? (used anyway, in case it is newer than this list)",
        }));
        Assert.That(KnownRegions.Warnings(KnownRegions.All), Is.Empty);
    }
}
