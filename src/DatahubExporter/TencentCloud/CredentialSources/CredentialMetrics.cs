using System.Collections.Concurrent;
using DatahubExporter.Exposition;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// Refresh counters of the role sources, kept for the life of the process (a SIGHUP builds new providers but
/// keeps counting here). Thread-safe; at most two sources times two results, so cardinality is fixed.
/// </summary>
internal sealed class CredentialMetrics
{
    public const string ExpiryName = "datahub_exporter_credentials_expiry_timestamp_seconds";
    public const string RefreshName = "datahub_exporter_credentials_refresh_total";

    private readonly ConcurrentDictionary<(string Source, string Result), long> _refreshes = new();

    /// <summary>Makes the source's two series exist at 0 before the first refresh, so a rate() sees the first failure.</summary>
    public void Register(string source)
    {
        _refreshes.TryAdd((source, "success"), 0);
        _refreshes.TryAdd((source, "failure"), 0);
    }

    public void Refreshed(string source, bool success) =>
        _refreshes.AddOrUpdate((source, success ? "success" : "failure"), 1, static (_, n) => n + 1);

    /// <summary>Both families: the expiry of the source in use (when it has credentials) and every counter.</summary>
    public IEnumerable<MetricFamily> Collect(string source, DateTimeOffset? expiry)
    {
        yield return new MetricFamily(ExpiryName,
            "When the temporary credentials in use expire, as Unix seconds, by source (oidc, cvm_role). Absent for keys that do not expire.",
            MetricType.Gauge,
            expiry is { } at ? [new Sample(ExpiryName, [new Label("source", source)], at.ToUnixTimeMilliseconds() / 1000.0)] : []);
        yield return new MetricFamily(RefreshName,
            "Fetches of temporary credentials from their source (CVM metadata or STS) by source and result (success, failure).",
            MetricType.Counter,
            _refreshes.OrderBy(p => p.Key.Source, StringComparer.Ordinal).ThenBy(p => p.Key.Result, StringComparer.Ordinal)
                .Select(p => new Sample(RefreshName, [new Label("source", p.Key.Source), new Label("result", p.Key.Result)], p.Value))
                .ToList());
    }
}
