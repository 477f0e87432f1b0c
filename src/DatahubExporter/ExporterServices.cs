using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Http;
using DatahubExporter.Status;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter;

/// <summary>
/// The composition root: everything a scrape needs, built once per process — the one pooled HttpClient, the
/// Tencent Cloud and CKafka clients, the collection engine with its paths, and the exporter's own metrics.
/// Shared by the HTTP host and <c>--once</c>.
/// </summary>
internal sealed class ExporterServices : IDisposable
{
    /// <summary>Every scrape path, in the order <c>--once</c> prints them. A new path is added here.</summary>
    public static readonly IReadOnlyList<ScrapePath> AllPaths = [DatahubTasksPath.Path, ConnectResourcesPath.Path, DatahubTaskLagPath.Path];

    /// <summary>50 ms on each one-second window: a sweep of 100 pages at 20/s takes 4.2 s instead of 4.0 s,
    /// and bursts no longer overlap the API's window when their arrival jitters.</summary>
    public static readonly TimeSpan RateLimitWindowGuard = TimeSpan.FromMilliseconds(50);

    private readonly ApiHttp _http;
    private readonly TencentCloudClient _api;

    /// <param name="http">Replaces the exporter's own pooled client (<see cref="ApiHttp.Create"/>), e.g. with a test's
    /// in-memory handler; not disposed with the services.</param>
    /// <param name="webConfig">The <c>--web.config.file</c> watcher: the HTTP host takes TLS and basic auth from it, and
    /// <c>/metrics</c> reports its reloads next to the configuration's. None: plain HTTP to everyone.</param>
    public ExporterServices(ExporterOptions options, ConfigHolder config, ILoggerFactory loggers, TimeProvider time, ApiHttp? http = null,
        WebConfigWatcher? webConfig = null)
    {
        Options = options;
        Config = config;
        Time = time;
        ApiMetrics = new ApiMetrics(time);
        WebConfig = webConfig ?? new WebConfigWatcher(WebConfigFile.Empty, loggers.CreateLogger<WebConfigWatcher>(), time);
        _http = http ?? ApiHttp.Create();
        var api = _api = new TencentCloudClient(_http, new TencentCloudClientOptions
        {
            RateLimitPerSecond = options.ApiRateLimit,
            RateLimitWindowGuard = RateLimitWindowGuard,
            MaxAttempts = options.ApiMaxAttempts,
        }, ApiMetrics, time);
        StatusBoard = new StatusBoard(loggers.CreateLogger<StatusBoard>());
        Engine = new CollectionEngine(new CkafkaClient(api), config, ScrapeMetrics,
            new EngineOptions { CacheTtl = options.CacheTtl, MaxTimeout = options.MaxScrapeTimeout },
            AllPaths, loggers.CreateLogger<CollectionEngine>(), time, StatusBoard);
    }

    public ExporterOptions Options { get; }

    public ConfigHolder Config { get; }

    public TimeProvider Time { get; }

    /// <summary>TLS and basic auth of the HTTP host, re-read while serving.</summary>
    public WebConfigWatcher WebConfig { get; }

    public ApiMetrics ApiMetrics { get; }

    public ScrapeMetrics ScrapeMetrics { get; } = new();

    public CollectionEngine Engine { get; }

    /// <summary>What the last collections found, for <c>/status</c>.</summary>
    public StatusBoard StatusBoard { get; }

    /// <summary>The limiter's current rate of every action and API host used so far (requests per second).</summary>
    public IReadOnlyList<(string Action, string Host, double Rate)> RateLimits() => _api.RateLimits();

    /// <summary>The families of <c>/metrics</c>: build, configuration, scrapes, API calls, process and runtime.</summary>
    public IEnumerable<MetricFamily> ExporterFamilies()
    {
        yield return new MetricFamily("datahub_exporter_build_info",
            "A metric with a constant 1 labelled by the version, source revision and .NET runtime of this exporter.", MetricType.Gauge,
            [new Sample("datahub_exporter_build_info",
                [new Label("version", BuildInfo.Version), new Label("revision", BuildInfo.Revision), new Label("runtime", BuildInfo.Runtime)], 1)]);
        // One family for both files, told apart by a file label, so an alert on a failed reload covers both.
        var files = new List<(string File, bool Ok, DateTimeOffset Loaded)> { ("config", Config.LastReloadSuccessful, Config.LastSuccessfulLoad) };
        if (WebConfig?.Current.Path is not null)
        {
            files.Add(("web_config", WebConfig.LastReloadSuccessful, WebConfig.LastSuccessfulLoad));
        }

        yield return new MetricFamily("datahub_exporter_config_last_reload_successful",
            "Whether the last reload of a file succeeded (1) or failed and the previous version is still in force (0); file is config (the INI file) or web_config (--web.config.file), each re-read on SIGHUP and when it changes.",
            MetricType.Gauge, files.Select(f => new Sample("datahub_exporter_config_last_reload_successful", [new Label("file", f.File)], f.Ok ? 1 : 0)).ToList());
        yield return new MetricFamily("datahub_exporter_config_last_reload_success_timestamp_seconds",
            "When the version of a file in force was loaded, as Unix seconds; file as for datahub_exporter_config_last_reload_successful.",
            MetricType.Gauge, files.Select(f => new Sample("datahub_exporter_config_last_reload_success_timestamp_seconds", [new Label("file", f.File)],
                f.Loaded.ToUnixTimeMilliseconds() / 1000.0)).ToList());
        if (WebConfig?.Current.Path is not null)
        {
            yield return WebConfig.AuthFailures.Collect();
        }

        yield return ApiMetrics.RateLimitFamily(RateLimits());
        foreach (var family in ScrapeMetrics.Collect().Concat(ApiMetrics.Collect()).Concat(CredentialFamilies(Config.Current)).Concat(ProcessMetrics.Collect()))
        {
            yield return family;
        }
    }

    /// <summary>The credential families: the provider's own without account sections; with them, the expiry of each
    /// account's keys labelled by account and source, and the refresh counters every role source shares.</summary>
    private static IEnumerable<MetricFamily> CredentialFamilies(ExporterConfig config)
    {
        if (config.AccountSections is null)
        {
            return config.Credentials.Collect();
        }

        var shared = config.CredentialProviders().Select(p => p.Collect().ToList()).FirstOrDefault(f => f.Count > 0);
        if (shared is null)
        {
            return []; // static keys only: nothing expires and nothing is refreshed
        }

        var expiry = shared.Single(f => f.Name == TencentCloud.CredentialSources.CredentialMetrics.ExpiryName);
        var samples = config.Accounts.Where(a => a.Credentials.Expiry is not null)
            .Select(a => new Sample(expiry.Name, [new Label("account", a.Account!), new Label("source", a.Credentials.Source)],
                a.Credentials.Expiry!.Value.ToUnixTimeMilliseconds() / 1000.0))
            .ToList();
        return shared.Select(f => f.Name == expiry.Name ? new MetricFamily(f.Name, f.Help, f.Type, samples) : f);
    }

    public void Dispose() => _http.Dispose();
}
