namespace DatahubExporter.Tests.Support;

/// <summary>An active target as /api/v1/targets reports it; <see cref="Health"/> is <c>up</c>, <c>down</c> or <c>unknown</c>.</summary>
internal sealed record PrometheusTarget(
    string ScrapePool,
    string ScrapeUrl,
    IReadOnlyDictionary<string, string> Labels,
    string Health,
    string LastError);
