namespace DatahubExporter.Collectors;

/// <summary>What one region gave in one collection: its items when it succeeded, else the reason it failed.</summary>
public sealed record RegionOutcome<TItem>(string Region, bool Success, double DurationSeconds, IReadOnlyList<TItem> Items, string? Error);
