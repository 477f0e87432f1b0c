namespace DatahubExporter.Collectors;

/// <summary>One finished collection of a scrape path: every configured region's outcome.</summary>
public sealed record CollectionResult<TItem>(IReadOnlyList<RegionOutcome<TItem>> Regions, DateTimeOffset CompletedAt)
{
    public bool AllSucceeded => Regions.All(r => r.Success);
}
