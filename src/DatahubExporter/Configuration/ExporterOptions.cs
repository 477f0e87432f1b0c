using DatahubExporter.Telemetry;

namespace DatahubExporter.Configuration;

/// <summary>
/// Every setting that comes from the command line, with the defaults the contract names. The INI file's
/// contents live in <see cref="ExporterConfig"/>; this is everything else.
/// </summary>
internal sealed record ExporterOptions
{
    public const string DefaultListenAddress = ":48080";
    public const string DefaultConfigPath = "~/.datahub_exporter.conf";

    /// <summary>Every setting at its default: where the flags and the lower layers' options read theirs, so each
    /// default is written once, here.</summary>
    public static ExporterOptions Defaults { get; } = new();

    public ListenAddress ListenAddress { get; init; } = ListenAddress.Parse(DefaultListenAddress);
    public string ConfigPath { get; init; } = DefaultConfigPath;
    public string? WebConfigPath { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    public LogFormat LogFormat { get; init; } = LogFormat.Logfmt;

    /// <summary>Subtracted from Prometheus' scrape timeout header, as blackbox_exporter does (its default, 0.5 s).</summary>
    public TimeSpan ScrapeTimeoutOffset { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The budget when the scrape carries no <c>X-Prometheus-Scrape-Timeout-Seconds</c> header (curl, old scrapers).</summary>
    public TimeSpan DefaultScrapeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No collection runs longer than this, whatever a scrape's header asks for (<c>--scrape.max-timeout</c>).</summary>
    public TimeSpan MaxScrapeTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a successful collection may be served again without calling the API (0: never).</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.Zero;

    /// <summary>Client-side limit per action and API host (the region, with the default regional hosts); Tencent's documented limit is 20/s, so stay below.</summary>
    public double ApiRateLimit { get; init; } = 20;

    /// <summary>Attempts per API call including the first (retries only for retryable errors, inside the deadline).</summary>
    public int ApiMaxAttempts { get; init; } = 4;

    /// <summary>Expands a leading <c>~/</c> to the user's home directory, as a shell would.</summary>
    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
