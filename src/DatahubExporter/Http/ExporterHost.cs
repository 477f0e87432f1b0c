using System.Net;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Memory;

namespace DatahubExporter.Http;

/// <summary>
/// Builds the exporter's web application: Kestrel on the listen address with conservative limits, the
/// method filter and the routes. Used by <c>Program</c> and, unchanged, by the end-to-end tests.
/// </summary>
internal static class ExporterHost
{
    /// <remarks>TLS and basic auth come from <see cref="ExporterServices.WebConfig"/> (<c>--web.config.file</c>); an empty
    /// config serves plain HTTP to everyone.</remarks>
    public static WebApplication Build(ExporterServices services, ILoggerProvider loggerProvider)
    {
        var webConfig = services.WebConfig;
        // reloadConfigOnChange=false: otherwise the host watches appsettings*.json with a recursive FileSystemWatcher on
        // the working directory, which from / (a systemd unit's default) is one inotify watch per directory on the
        // machine (7,800 here), set up before the first scrape can be served. Nothing here is configured that way.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "datahub_exporter",
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        KeepOnlyOwnConfiguration(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConnectionRejectionLog(loggerProvider, MaxConnections, services.Time));
        builder.Logging.SetMinimumLevel(services.Options.LogLevel);
        // Kestrel's own chatter is for debugging the exporter, not for operating it.
        builder.Logging.AddFilter("Microsoft", services.Options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning);
        // Failed TLS handshakes, with their reason, are worth seeing when debugging (WebSecurity logs the kinds Kestrel lets through).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Https", services.Options.LogLevel <= LogLevel.Debug ? LogLevel.Debug : LogLevel.Warning);
        // Program reports a failed start (e.g. port in use) as its one line; the host's own record of it would be a second.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", services.Options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Critical);
        // One for every address listened on: a peer's share is counted across them.
        var silent = new SilentConnections(SilentConnections.DefaultCapacity);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            // A scraper uses one stream at a time; Kestrel's 100 per connection let 100 clients hold 10,000 rendered
            // expositions in memory at once (issue 8 row 9: 880 MB). Further streams wait for the client's turn.
            kestrel.Limits.Http2.MaxStreamsPerConnection = MaxHttp2Streams;
            // Between requests only: Prometheus comes back every 15-60 s on the same connection. Silence before the
            // first request is IdleConnectionGuard's business.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(90);
            Listen(kestrel, services.Options.ListenAddress, listen =>
            {
                // Before TLS, so a silent socket is dropped before it costs a handshake.
                listen.UseIdleConnectionGuard(IdleConnectionGuard.FirstByteTimeout, silent);
                WebSecurity.ConfigureHttps(listen, webConfig);
            });
        });
        builder.Services.AddSingleton(services.Time);
        var app = builder.Build();
        app.UseExporterWebConfig(webConfig);
        app.UseReadOnlyMethods();
        app.MapExporterEndpoints(services);
        // Anything else: a short text saying where to look, instead of an empty 404.
        app.MapFallback(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(NotFoundText);
        });
        return app;
    }

    /// <summary>
    /// Drops the configuration the default host reads on its own: <c>appsettings.json</c> and
    /// <c>appsettings.{environment}.json</c> from the working directory and every environment variable (prefixed
    /// <c>ASPNETCORE_</c>/<c>DOTNET_</c> or not). Everything the exporter serves is set in code from its flags and
    /// files, and a stray file or variable could otherwise add Kestrel endpoints, raise log levels or turn on host
    /// filtering (<c>AllowedHosts</c>: every scrape answered 400). Kept: the in-memory defaults the host derived
    /// (application name, content root, environment) and the command-line source holding our own options.
    /// </summary>
    private static void KeepOnlyOwnConfiguration(IConfigurationBuilder configuration)
    {
        var sources = configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is not (MemoryConfigurationSource or CommandLineConfigurationSource))
            {
                sources.RemoveAt(i);
            }
        }
    }

    /// <summary>Concurrent HTTP/2 streams per connection.</summary>
    public const int MaxHttp2Streams = 4;

    /// <summary>The body of every 404.</summary>
    public const string NotFoundText = "404 page not found: the exporter's paths are listed at /\n";

    /// <summary>Concurrent connections Kestrel accepts; more are refused (and logged once a minute). Scrapers
    /// need a handful; silent sockets are dropped after <see cref="IdleConnectionGuard.FirstByteTimeout"/>, and more
    /// than <see cref="SilentConnections.DefaultCapacity"/> at once never wait (the oldest of the largest peer goes).</summary>
    public const int MaxConnections = 1024;

    /// <summary>The addresses Kestrel actually bound (with the real port when :0 was asked for).</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        if (address.Host is null)
        {
            kestrel.ListenAnyIP(address.Port, configure);
        }
        else if (address.Host == "localhost")
        {
            kestrel.ListenLocalhost(address.Port, configure);
        }
        else if (IPAddress.TryParse(address.Host, out var ip))
        {
            kestrel.Listen(ip, address.Port, configure);
        }
        else
        {
            // A host name: listen on what it resolves to, as Go's net.Listen does.
            foreach (var resolved in Dns.GetHostAddresses(address.Host))
            {
                kestrel.Listen(resolved, address.Port, configure);
            }
        }
    }
}
