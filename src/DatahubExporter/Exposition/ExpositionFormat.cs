namespace DatahubExporter.Exposition;

/// <summary>The two bodies a scrape can be answered with; <see cref="AcceptNegotiator"/> maps every negotiated
/// Content-Type to one of them.</summary>
internal enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>), which is also text 1.0.0 for our names.</summary>
    PrometheusText004,

    /// <summary>OpenMetrics 1.0.0 (<c>application/openmetrics-text; version=1.0.0</c>), which is also 0.0.1 for our families.</summary>
    OpenMetrics100,
}
