namespace DatahubExporter.Exposition;

public enum ExpositionFormat
{
    PrometheusText004,
    OpenMetrics100,
}

/// <summary>STUB: replaced by the exposition/config helper.</summary>
public static class ExpositionWriter
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public static string ContentType(ExpositionFormat format) =>
        format == ExpositionFormat.OpenMetrics100 ? OpenMetricsContentType : TextContentType;

    public static ExpositionFormat Negotiate(string? acceptHeader) => ExpositionFormat.PrometheusText004;

    public static void Write(Stream output, IEnumerable<MetricFamily> families, ExpositionFormat format) =>
        throw new NotImplementedException();
}
