namespace DatahubExporter.Soak;

/// <summary>Everything a soak run is told; defaults are the issue's: 3 minutes, 50 scrapers, 2,000 tasks,
/// 500 resources, 2 regions, Tencent's 20 requests/s per action and region.</summary>
public sealed record SoakOptions
{
    public required string ExporterPath { get; init; }
    public double Minutes { get; init; } = 3;
    public int Scrapers { get; init; } = 50;
    public int Tasks { get; init; } = 2000;
    public int Resources { get; init; } = 500;
    public int ServerRateLimit { get; init; } = 20;
    public double WaveEverySeconds { get; init; } = 8;
    public int ThinkMs { get; init; } = 500;
    public double ScrapeTimeoutSeconds { get; init; } = 10;
    public double MaxRssMb { get; init; } = 512;
    public string? JsonPath { get; init; }
}
