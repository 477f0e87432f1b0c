using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Collectors;

/// <summary>
/// Everything a scrape needs, built once per process: the one pooled HttpClient, the Tencent Cloud and CKafka
/// clients, both collectors and the exporter's own metrics. Shared by the HTTP host and <c>--once</c>.
/// </summary>
public sealed class ExporterServices : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TencentCloudClient _api;

    public ExporterServices(ExporterOptions options, ConfigHolder config, ILoggerFactory loggers, TimeProvider time, HttpClient? http = null)
    {
        Options = options;
        Config = config;
        _ownsHttp = http is null;
        _http = http ?? TencentCloudClient.CreateHttpClient();
        var api = _api = new TencentCloudClient(_http, new TencentCloudClientOptions
        {
            RateLimitPerSecond = options.ApiRateLimit,
            MaxAttempts = options.ApiMaxAttempts,
        }, ApiMetrics, time);
        var ckafka = new CkafkaClient(api);
        Tasks = new DatahubTaskCollector(ckafka, config, ScrapeMetrics, options.CacheTtl, loggers.CreateLogger<DatahubTaskCollector>(), time);
        Resources = new ConnectResourceCollector(ckafka, config, ScrapeMetrics, options.CacheTtl, loggers.CreateLogger<ConnectResourceCollector>(), time);
    }

    public ExporterOptions Options { get; }

    public ConfigHolder Config { get; }

    public ApiMetrics ApiMetrics { get; } = new();

    public ScrapeMetrics ScrapeMetrics { get; } = new();

    public DatahubTaskCollector Tasks { get; }

    public ConnectResourceCollector Resources { get; }

    /// <summary>The families of <c>/metrics</c>: build, configuration, scrapes, API calls, process and runtime.</summary>
    public IEnumerable<MetricFamily> ExporterFamilies()
    {
        yield return new MetricFamily("datahub_exporter_build_info",
            "A metric with a constant 1 labelled by the version, source revision and .NET runtime of this exporter.", MetricType.Gauge,
            [new Sample("datahub_exporter_build_info",
                [new Label("version", BuildInfo.Version), new Label("revision", BuildInfo.Revision), new Label("runtime", BuildInfo.Runtime)], 1)]);
        yield return new MetricFamily("datahub_exporter_config_last_reload_successful",
            "Whether the last configuration reload (SIGHUP) succeeded (1) or failed and the previous configuration is still in force (0).",
            MetricType.Gauge, [new Sample("datahub_exporter_config_last_reload_successful", [], Config.LastReloadSuccessful ? 1 : 0)]);
        yield return new MetricFamily("datahub_exporter_config_last_reload_success_timestamp_seconds",
            "When the configuration in force was loaded, as Unix seconds.",
            MetricType.Gauge, [new Sample("datahub_exporter_config_last_reload_success_timestamp_seconds", [], Config.LastSuccessfulLoad.ToUnixTimeMilliseconds() / 1000.0)]);
        yield return ApiMetrics.RateLimitFamily(_api.RateLimits());
        foreach (var family in ScrapeMetrics.Collect().Concat(ApiMetrics.Collect()).Concat(ProcessMetrics.Collect()))
        {
            yield return family;
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
