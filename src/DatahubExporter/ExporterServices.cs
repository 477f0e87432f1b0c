using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Http;
using DatahubExporter.Status;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;
using DatahubExporter.TencentCloud.CredentialSources;

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
    private SelfMetrics? _selfMetrics;

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

    /// <summary>The limiter's current rate of every account, action and API host used so far (requests per second).</summary>
    public IReadOnlyList<RateLimit> RateLimits() => _api.RateLimits();

    /// <summary>The registry of every family on <c>/metrics</c>, built on first use. A new self-metric is registered in
    /// <see cref="RegisterSelfMetrics"/>, at the place it should be written.</summary>
    public SelfMetrics SelfMetrics => LazyInitializer.EnsureInitialized(ref _selfMetrics, RegisterSelfMetrics);

    /// <summary>The families of <c>/metrics</c>: build, configuration, scrapes, API calls, credentials, process and runtime.</summary>
    public IReadOnlyList<MetricFamily> ExporterFamilies() => SelfMetrics.Collect();

    /// <summary>Every family of <c>/metrics</c>, in the order it is written.</summary>
    private SelfMetrics RegisterSelfMetrics()
    {
        var metrics = new SelfMetrics();
        metrics.Gauge("datahub_exporter_build_info",
                "A metric with a constant 1 labelled by the version, source revision and .NET runtime of this exporter.", "version", "revision", "runtime")
            .Set(new(BuildInfo.Version, BuildInfo.Revision, BuildInfo.Runtime), 1);

        // One family for both files, told apart by a file label, so an alert on a failed reload covers both.
        metrics.CallbackGauge("datahub_exporter_config_last_reload_successful",
            "Whether the last reload of a file succeeded (1) or failed and the previous version is still in force (0); file is config (the INI file) or web_config (--web.config.file), each re-read on SIGHUP and when it changes.",
            ["file"], () => ReloadedFiles().Select(f => (new LabelValues(f.File), f.Ok ? 1.0 : 0)));
        metrics.CallbackGauge("datahub_exporter_config_last_reload_success_timestamp_seconds",
            "When the version of a file in force was loaded, as Unix seconds; file as for datahub_exporter_config_last_reload_successful.",
            ["file"], () => ReloadedFiles().Select(f => (new LabelValues(f.File), f.Loaded.ToUnixTimeMilliseconds() / 1000.0)));
        if (WebConfig.Current.Path is not null)
        {
            metrics.Add(WebConfig.AuthFailures.Failures);
        }

        metrics.CallbackGauge("datahub_exporter_api_rate_limit",
            "Client-side limit of Tencent Cloud API requests per second, by action and API host: the --api.rate-limit, or less for a while after the API answered RequestLimitExceeded (halved on each refusal, 1/s added back per quiet second).",
            ["account", "action", "host"], () => RateLimits().Select(r => (new LabelValues(r.Account, r.Action, r.Host), r.Rate)));
        metrics.Add(ScrapeMetrics.Scrapes);
        foreach (var family in ApiMetrics.Families)
        {
            metrics.Add(family);
        }

        // Without account sections, the expiry of the keys in use by source; with them, each account's, labelled by account too.
        metrics.CallbackGauge(CredentialMetrics.ExpiryName, CredentialMetrics.ExpiryHelp, ["account", "source"], () => Config.Current.Accounts
            .Where(a => a.Credentials.Expiry is not null)
            .Select(a => (new LabelValues(a.Account, a.Credentials.Source), a.Credentials.Expiry!.Value.ToUnixTimeMilliseconds() / 1000.0)));
        // The refresh counters every role source of the configuration in force shares (none for static keys only).
        metrics.Callback(CredentialMetrics.RefreshName, CredentialMetrics.RefreshHelp, MetricType.Counter, () =>
            Config.Current.CredentialProviders().Select(p => p.Metrics).FirstOrDefault(m => m is not null)?.Refreshes.Samples() ?? []);
        metrics.Source("process and runtime", ProcessMetrics.Collect);
        return metrics;
    }

    private List<(string File, bool Ok, DateTimeOffset Loaded)> ReloadedFiles()
    {
        var files = new List<(string File, bool Ok, DateTimeOffset Loaded)>(2) { ("config", Config.LastReloadSuccessful, Config.LastSuccessfulLoad) };
        if (WebConfig.Current.Path is not null)
        {
            files.Add(("web_config", WebConfig.LastReloadSuccessful, WebConfig.LastSuccessfulLoad));
        }

        return files;
    }

    public void Dispose() => _http.Dispose();
}
