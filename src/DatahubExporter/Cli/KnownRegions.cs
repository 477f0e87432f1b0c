using DatahubExporter.Configuration;

namespace DatahubExporter.Cli;

/// <summary>
/// The region ids Tencent Cloud's SDKs know (tencent-cloud-api.md §6, "Regions": the Go SDK's list), for a
/// warning with a "did you mean" when a configured region is not among them. An unknown region is still
/// accepted, because a region opened after this list was written is real; calls to a region that does not exist
/// fail with an error per collection. Stateless.
/// </summary>
internal static class KnownRegions
{
    public static readonly IReadOnlyList<string> All =
    [
        "ap-bangkok", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-guangzhou", "ap-guangzhou-open", "ap-hongkong",
        "ap-jakarta", "ap-mumbai", "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi", "ap-shenzhen-fsi",
        "ap-singapore", "ap-tokyo", "eu-frankfurt", "eu-moscow", "na-ashburn", "na-siliconvalley", "na-toronto", "sa-saopaulo",
    ];

    /// <summary>One line per configured region that is not known; empty when all are.</summary>
    public static IReadOnlyList<string> Warnings(IEnumerable<string> regions) =>
        regions.Where(r => !All.Contains(r, StringComparer.Ordinal)).Select(Warning).ToList();

    private static string Warning(string region)
    {
        var guess = Closest(region);
        var hint = guess is null ? "" : $"; did you mean {guess}?";
        return $"region {ConfigLoader.Echo(region)} is not a known Tencent Cloud region{hint} (used anyway, in case it is newer than this list)";
    }

    /// <summary>The known region at most two edits away (a typo), nearest first; null when none is that close.</summary>
    public static string? Closest(string region) =>
        All.Select(known => (known, distance: FlagSpelling.EditDistance(region, known))).Where(c => c.distance <= 2).OrderBy(c => c.distance)
            .Select(c => c.known).FirstOrDefault();
}
