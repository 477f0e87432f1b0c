using DatahubExporter.Exposition;

namespace DatahubExporter.Collectors;

/// <summary>
/// A scrape path's collector as the HTTP layer sees it: one call that answers with metric families within
/// a budget. Implementations never throw for API trouble: failures become <c>collect_success 0</c>.
/// </summary>
public interface IScrapeCollector
{
    /// <summary>The <c>collector</c> label value: <c>datahub_tasks</c> or <c>connect_resources</c>.</summary>
    string Name { get; }

    /// <summary>Answers one scrape. <paramref name="budget"/> bounds everything (API calls, retries, waits);
    /// <paramref name="requestAborted"/> only stops this caller waiting — a shared collection goes on for others.</summary>
    Task<ScrapeAnswer> ScrapeAsync(TimeSpan budget, CancellationToken requestAborted);
}
