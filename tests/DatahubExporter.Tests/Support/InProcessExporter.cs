using DatahubExporter.Configuration;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;

namespace DatahubExporter.Tests.Support;

/// <summary>
/// The real exporter app inside the test process: <see cref="ExporterHost.Build"/> (the pipeline <c>Program</c>
/// serves: web config, method filter, every endpoint) on Kestrel at 127.0.0.1:0, with the Tencent Cloud API answered by a
/// <see cref="FakeHandler"/> (by default an empty list in every region). For tests where TLS, basic auth or the HTTP
/// surface is the point and a process is not. Kestrel rather than TestServer because curl and TLS need a socket, and
/// <see cref="ExporterHost.Build"/> builds the host itself, leaving no place to swap the server.
/// </summary>
internal sealed class InProcessExporter : IAsyncDisposable
{
    private const string EmptyLists = """{"Response":{"Result":{"TotalCount":0,"TaskList":[],"ConnectResourceList":[]},"RequestId":"req-1"}}""";

    private readonly WebApplication _app;
    private readonly ExporterServices _services;

    private InProcessExporter(WebApplication app, ExporterServices services, Uri address)
    {
        _app = app;
        _services = services;
        Address = address;
    }

    /// <summary>Like <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    public string Url(string path) => new Uri(Address, path).ToString();

    public static async Task<InProcessExporter> StartAsync(WebConfigWatcher webConfig, FakeHandler? api = null)
    {
        var config = new ConfigHolder(new ExporterConfig
        {
            Credentials = new Credentials("AKIDinprocess0001", "in-process-key", null),
            Regions = ["ap-guangzhou"],
            Endpoint = new Uri("https://ckafka.example/"),
            SourcePath = "in-process.conf",
        }, TimeProvider.System);
        var services = new ExporterServices(
            new ExporterOptions { ListenAddress = ListenAddress.Parse("127.0.0.1:0"), ApiMaxAttempts = 1, ApiRateLimit = 0 },
            config, NullLoggerFactory.Instance, TimeProvider.System, new HttpClient(api ?? new FakeHandler((_, _) => FakeHandler.Json(EmptyLists))),
            webConfig);
        var app = ExporterHost.Build(services, NullLoggerProvider.Instance);
        await app.StartAsync();
        return new InProcessExporter(app, services, new Uri(ExporterHost.BoundAddresses(app).Single()));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _services.Dispose();
    }
}
