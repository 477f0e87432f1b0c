using System.Runtime.InteropServices;
using DatahubExporter.Configuration;
using DatahubExporter.Http;
using DatahubExporter.Telemetry;

namespace DatahubExporter.Cli;

/// <summary>Serving: the HTTP host until shutdown, SIGHUP re-reading the configuration and the web config, and
/// the idle memory trimmer.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ExporterServices services, StructuredLoggerProvider loggerProvider, WebConfigWatcher webConfig, ILogger log,
        TextWriter stderr, CancellationToken cancellationToken)
    {
        var app = ExporterHost.Build(services, loggerProvider, webConfig);
        await using var _ = app.ConfigureAwait(false);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"datahub_exporter: cannot listen on {services.Options.ListenAddress}: {e.Message}").ConfigureAwait(false);
            return Program.ExitFailed;
        }

        using var sighup = RegisterReload(services.Config, webConfig, loggerProvider, log);
        using var trimmer = new IdleMemoryTrimmer(TimeProvider.System);
        var c = services.Config.Current;
        log.LogInformation("listening address={Address} version={Version} regions={Regions} credential_source={Source} secret_id={SecretId} endpoint={Endpoint}",
            string.Join(",", ExporterHost.BoundAddresses(app)), BuildInfo.Version, string.Join(",", c.Regions), c.Credentials.Source,
            c.Credentials.Current?.MaskedSecretId ?? "none", ConfigSources.EndpointShown(c));
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return Program.ExitOk;
    }

    /// <summary>SIGHUP re-reads the configuration (credential rotation without a restart) and the web config; a bad
    /// file keeps the old one. The web config is also re-read whenever it changes, so SIGHUP only makes that happen now.</summary>
    private static PosixSignalRegistration? RegisterReload(ConfigHolder config, WebConfigWatcher webConfig, StructuredLoggerProvider secrets, ILogger log)
    {
        if (OperatingSystem.IsWindows() || (!config.CanReload && webConfig.Current.Path is null))
        {
            // Nothing to re-read under --demo without a web config; SIGHUP keeps its default meaning there.
            return null;
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            if (config.CanReload)
            {
                var error = config.Reload();
                if (error is null)
                {
                    secrets.Protect(config.Current.Credentials);
                    log.LogInformation("configuration reloaded regions={Regions} credential_source={Source}", string.Join(",", config.Current.Regions),
                        config.Current.Credentials.Source);
                }
                else
                {
                    log.LogError("configuration reload failed, keeping the previous configuration err={Error}", error);
                }
            }

            // The watcher logs its own outcome (and a refusal only once per change).
            webConfig.Reload();
        });
    }
}
