namespace DatahubExporter.Collectors;

/// <summary>The engine's settings that come from flags.</summary>
internal sealed record EngineOptions
{
    /// <summary>How long a fully successful collection is served again (0: never).</summary>
    public TimeSpan CacheTtl { get; init; }

    /// <summary>No collection runs longer than this, whatever its scrapers ask for (<c>--scrape.max-timeout</c>).</summary>
    public required TimeSpan MaxTimeout { get; init; }

    /// <summary>A scrape with less time than this is answered at once as a failure and starts no API call.</summary>
    public TimeSpan MinimumBudget { get; init; } = TimeSpan.FromSeconds(1);
}
