using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>What one region (of one account) gave in one collection: its items when it succeeded, else the reason it failed.</summary>
internal sealed record RegionOutcome(string Region, bool Success, double DurationSeconds, IReadOnlyList<ListedItem> Items, string? Error)
{
    /// <summary>The account's name, the first label of its series; null without account sections.</summary>
    public string? Account { get; init; }

    /// <summary>The samples of the path's <see cref="ScrapePath.Stage"/>, without the <c>account</c> and <c>region</c>
    /// labels; kept even when some of its calls failed (Success false), since each item's series stand alone.</summary>
    public IReadOnlyList<Sample> StageSamples { get; init; } = [];
}

/// <summary>One unit of collection of a path: an account's configuration (the whole one without account sections) and one of its regions.</summary>
internal sealed record Unit(Configuration.ExporterConfig Account, string Region);

/// <summary>One finished collection of a path: every configured region's outcome.</summary>
internal sealed record PathResult(ScrapePath Path, IReadOnlyList<RegionOutcome> Regions, DateTimeOffset CompletedAt)
{
    public bool AllSucceeded => Regions.All(r => r.Success);
}
