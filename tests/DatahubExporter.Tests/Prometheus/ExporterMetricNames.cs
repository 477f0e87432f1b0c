namespace DatahubExporter.Tests.Prometheus;

/// <summary>
/// Every series name the exporter serves (spec/exporter.md, "Metrics"), histogram series included, plus
/// Prometheus' own <c>up</c>. Rules and dashboards may only use these: PromQL over a misspelt name is
/// valid and silently matches nothing, so promtool alone cannot catch it.
/// </summary>
internal static class ExporterMetricNames
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "datahub_task_status",
        "datahub_task_error_count",
        "datahub_task_info",
        "connect_resource_status",
        "connect_resource_error_count",
        "connect_resource_info",
        "datahub_task_error_info",
        "connect_resource_error_info",
        "datahub_task_consumer_lag",
        "datahub_task_consumer_current_offset_sum",
        "datahub_exporter_collect_success",
        "datahub_exporter_collect_duration_seconds",
        "datahub_exporter_build_info",
        "datahub_exporter_api_requests_total",
        "datahub_exporter_api_request_duration_seconds_bucket",
        "datahub_exporter_api_request_duration_seconds_sum",
        "datahub_exporter_api_request_duration_seconds_count",
        "datahub_exporter_credentials_expiry_timestamp_seconds",
        "datahub_exporter_config_last_reload_successful",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
        "process_open_fds",
        "process_max_fds",
        "process_virtual_memory_bytes",
        "up",
    };

    // Names of the exporter's families; `up` is matched separately as a whole word.
    private static readonly System.Text.RegularExpressions.Regex Candidate = new(
        @"\b(?:datahub_|connect_resource_|process_)[a-z_]+\b|\bup\b",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex QuotedString = new("\"(?:[^\"\\\\]|\\\\.)*\"");

    /// <summary>
    /// The metric-like names in <paramref name="promql"/> that the exporter does not serve. String
    /// literals are skipped first, so label values such as <c>collector="datahub_tasks"</c> do not count.
    /// </summary>
    public static IReadOnlyList<string> UnknownIn(string promql)
    {
        var code = QuotedString.Replace(promql, "\"\"");
        return Candidate.Matches(code).Select(m => m.Value).Where(n => !All.Contains(n)).Distinct().ToList();
    }
}
