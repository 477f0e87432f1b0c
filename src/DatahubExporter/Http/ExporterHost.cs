using System.Net;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DatahubExporter.Http;

/// <summary>
/// Builds the exporter's web application: Kestrel on the listen address with conservative limits, the
/// method filter and the routes. Used by <c>Program</c> and, unchanged, by the end-to-end tests.
/// </summary>
public static class ExporterHost
{
    /// <param name="webConfig">TLS and basic auth (<c>--web.config.file</c>); an empty config serves plain HTTP to everyone.</param>
    public static WebApplication Build(ExporterServices services, ILoggerProvider loggerProvider, WebConfigWatcher webConfig)
    {
        // reloadConfigOnChange=false: otherwise the host watches appsettings*.json with a recursive FileSystemWatcher on
        // the working directory, which from / (a systemd unit's default) is one inotify watch per directory on the
        // machine (7,800 here), set up before the first scrape can be served. Nothing here is configured that way.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "datahub_exporter",
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(loggerProvider);
        builder.Logging.SetMinimumLevel(services.Options.LogLevel);
        // Kestrel's own chatter is for debugging the exporter, not for operating it.
        builder.Logging.AddFilter("Microsoft", services.Options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning);
        // Program reports a failed start (e.g. port in use) as its one line; the host's own record of it would be a second.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", services.Options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            Listen(kestrel, services.Options.ListenAddress, listen => WebSecurity.ConfigureHttps(listen, webConfig));
        });
        var app = builder.Build();
        app.UseExporterWebConfig(webConfig);
        app.UseReadOnlyMethods();
        app.MapExporterEndpoints(services);
        return app;
    }

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
