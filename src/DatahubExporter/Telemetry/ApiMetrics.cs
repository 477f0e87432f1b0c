using DatahubExporter.Exposition;

namespace DatahubExporter.Telemetry;

/// <summary>STUB: replaced by the TencentCloud helper.</summary>
public sealed class ApiMetrics : IApiObserver
{
    public void RequestCompleted(string action, string region, string code, double seconds) { }
    public void Retrying(string action, string region, string code) { }
    public void LimiterWaited(string action, string region, double seconds) { }
    public IEnumerable<MetricFamily> Collect() => [];
}
