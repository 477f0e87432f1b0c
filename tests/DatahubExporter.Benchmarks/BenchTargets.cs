using System.Text;
using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud;

namespace DatahubExporter.Benchmarks;

/// <summary>Shared set-up pieces: the simulator's demo credentials, request bodies, and a client with the rate
/// limiter off and no retries, so a benchmark measures work and never a deliberate wait.</summary>
internal static class BenchTargets
{
    public const string Region = "ap-guangzhou";

    public static readonly Credentials Credentials = new(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null);

    public static ApiTarget Target(Uri endpoint) => new(Region, endpoint, Credentials);

    /// <summary>Byte for byte what CkafkaClient sends for a page.</summary>
    public static byte[] PageBody(int offset) => Encoding.UTF8.GetBytes($"{{\"Limit\":100,\"Offset\":{offset}}}");

    /// <summary>The exporter's services for one region at <paramref name="endpoint"/>, with the rate limiter off and
    /// no retries; <paramref name="http"/> replaces the exporter's own HttpClient when given.</summary>
    public static ExporterServices Services(Uri endpoint, ApiHttp? http = null)
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = Credentials,
            Regions = [Region],
            Endpoint = endpoint,
            SourcePath = "(benchmark)",
        }, TimeProvider.System);
        return new ExporterServices(new ExporterOptions { ApiRateLimit = 0, ApiMaxAttempts = 1 }, config,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System, http);
    }

    /// <summary>One scrape of the tasks path and the body the HTTP layer sends for it (text 0.0.4, rendered once per
    /// answer into a buffer sized from the previous one); returns the body's length.</summary>
    public static async Task<long> ScrapeTasksAsync(ExporterServices services)
    {
        var answer = await services.Engine.ScrapeAsync(DatahubExporter.Collectors.DatahubTasksPath.Path, TimeSpan.FromSeconds(30), CancellationToken.None);
        if (!answer.AllSucceeded)
        {
            throw new InvalidOperationException("the collection failed");
        }

        return answer.Body.Payload(ExpositionFormat.PrometheusText004, gzip: false).Length;
    }

    public static TencentCloudClient Client(ApiHttp http) =>
        new(http, new TencentCloudClientOptions { RateLimitPerSecond = 0, MaxAttempts = 1 }, new ApiMetrics(TimeProvider.System), TimeProvider.System);

    /// <summary>A genuine DescribeDatahubTasks answer from the simulator: one page of <paramref name="tasks"/> tasks
    /// (TotalCount equal to it, so the client stops after this page).</summary>
    public static byte[] CaptureTaskPage(int tasks)
    {
        return CaptureAsync().GetAwaiter().GetResult();

        async Task<byte[]> CaptureAsync()
        {
            await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { DataSet = SimulatorDataSet.Generate(tasks, 1) });
            var recorder = new RecordingHandler();
            using var http = new HttpClient(recorder);
            using var response = await Client(http).CallAsync(Target(simulator.BaseAddress), "DescribeDatahubTasks", PageBody(0), CancellationToken.None);
            return recorder.LastBody;
        }
    }
}
