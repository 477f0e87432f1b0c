using DatahubExporter.Telemetry;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// Refresh counters of the role sources, kept for the life of the process (a SIGHUP builds new providers but
/// keeps counting here): a <see cref="SelfCounter"/> that <c>ExporterServices.SelfMetrics</c> reads through the
/// providers in force. Thread-safe; at most a few sources times two results, so cardinality is fixed.
/// </summary>
internal sealed class CredentialMetrics
{
    public const string ExpiryName = "datahub_exporter_credentials_expiry_timestamp_seconds";
    public const string ExpiryHelp = "When the temporary credentials in use expire, as Unix seconds, by source (oidc, cvm_role, assume_role) and, with account sections, account. Absent for keys that do not expire.";
    public const string RefreshName = "datahub_exporter_credentials_refresh_total";
    public const string RefreshHelp = "Fetches of temporary credentials from their source (CVM metadata or STS) by source and result (success, failure).";

    public SelfCounter Refreshes { get; } = new(RefreshName, RefreshHelp, "source", "result");

    /// <summary>Makes the source's two series exist at 0 before the first refresh, so a rate() sees the first failure.</summary>
    public void Register(string source)
    {
        Refreshes.Touch(new(source, "failure"));
        Refreshes.Touch(new(source, "success"));
    }

    public void Refreshed(string source, bool success) => Refreshes.Increment(new(source, success ? "success" : "failure"));
}
