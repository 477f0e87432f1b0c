namespace DatahubExporter.Exposition;

/// <summary>The two text formats a scrape can be answered in; see <see cref="ExpositionWriter.Negotiate"/>.</summary>
internal enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>).</summary>
    PrometheusText004,

    /// <summary>OpenMetrics 1.0.0 (<c>application/openmetrics-text; version=1.0.0</c>).</summary>
    OpenMetrics100,
}
