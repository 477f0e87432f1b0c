namespace DatahubExporter.Tests.Support;

/// <summary>An alert as /api/v1/alerts reports it; <see cref="State"/> is <c>pending</c> or <c>firing</c>.</summary>
internal sealed record PrometheusAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string State,
    string Value)
{
    public string Name => Labels.TryGetValue("alertname", out var name) ? name : "";

    public bool IsFiring => State == "firing";
}
