using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>What one region gave in one collection: its items when it succeeded, else the reason it failed.</summary>
internal sealed record RegionOutcome(string Region, bool Success, double DurationSeconds, IReadOnlyList<ListedItem> Items, string? Error)
{
    /// <summary>The samples of the path's <see cref="ScrapePath.Stage"/>, without the <c>region</c> label; kept even when
    /// some of its calls failed (Success false), since each item's series stand alone.</summary>
    public IReadOnlyList<Sample> StageSamples { get; init; } = [];
}

/// <summary>One finished collection of a path: every configured region's outcome.</summary>
internal sealed record PathResult(ScrapePath Path, IReadOnlyList<RegionOutcome> Regions, DateTimeOffset CompletedAt)
{
    public bool AllSucceeded => Regions.All(r => r.Success);
}
