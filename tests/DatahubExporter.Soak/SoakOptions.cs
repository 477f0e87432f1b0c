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

    /// <summary>After the load: how long the exporter is scraped as one Prometheus would (both paths every 15 s)
    /// before its RSS is compared with the level after warm-up (issue 8: memory returns after a burst).</summary>
    public double SettleSeconds { get; init; } = 60;

    /// <summary>How far above its after-warm-up RSS the settled exporter may stay, in percent.</summary>
    public double SettleSlackPercent { get; init; } = 30;
    public string? JsonPath { get; init; }
}
