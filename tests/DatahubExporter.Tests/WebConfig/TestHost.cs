using System.Net;
using DatahubExporter.Http;
using DatahubExporter.WebConfig;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.Tests.WebConfig;

/// <summary>A minimal Kestrel app on 127.0.0.1:0 wired the way the exporter host is meant to be:
/// <see cref="WebSecurity.ConfigureHttps"/> on the listener, <see cref="WebSecurity.UseExporterWebConfig"/> in
/// the pipeline, and two endpoints (<c>/metrics</c>, <c>/-/healthy</c>).</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Like <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    public string Url(string path) => new Uri(Address, path).ToString();

    public static async Task<TestHost> StartAsync(WebConfigWatcher watcher)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => WebSecurity.ConfigureHttps(listen, watcher)));
        var app = builder.Build();
        app.UseExporterWebConfig(watcher);
        app.MapGet("/metrics", () => Results.Text("up 1\n"));
        app.MapGet(WebSecurity.HealthyPath, () => Results.Text("Healthy\n"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
