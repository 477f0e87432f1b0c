namespace DatahubExporter.Collectors;

/// <summary>
/// One scrape path as the HTTP layer sees it: one call that answers within a budget. Never throws for API
/// trouble: failures become <c>collect_success 0</c>.
/// </summary>
internal interface IScrapeCollector
{
    /// <summary>The <c>collector</c> label value: <c>datahub_tasks</c> or <c>connect_resources</c>.</summary>
    string Name { get; }

    /// <summary>Answers one scrape. <paramref name="budget"/> bounds this caller's wait;
    /// <paramref name="requestAborted"/> only stops this caller waiting — a shared collection goes on for others.</summary>
    Task<ScrapeAnswer> ScrapeAsync(TimeSpan budget, CancellationToken requestAborted);
}

/// <summary>A path bound to the engine that collects it.</summary>
internal sealed class PathCollector(CollectionEngine engine, ScrapePath path) : IScrapeCollector
{
    public string Name => path.Name;

    public ScrapePath Path => path;

    public Task<ScrapeAnswer> ScrapeAsync(TimeSpan budget, CancellationToken requestAborted) => engine.ScrapeAsync(path, budget, requestAborted);

    /// <summary>Failed collections of this path in <paramref name="region"/> since start.</summary>
    public long ErrorCount(string region) => engine.ErrorCount(path, region);
}
