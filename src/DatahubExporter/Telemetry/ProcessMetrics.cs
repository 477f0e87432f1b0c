using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>STUB: replaced by the exposition/config helper.</summary>
public static class ProcessMetrics
{
    public static IEnumerable<MetricFamily> Collect() => [];
}
