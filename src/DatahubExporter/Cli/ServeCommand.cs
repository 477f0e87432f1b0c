using System.Runtime.InteropServices;
using DatahubExporter.Configuration;
using DatahubExporter.Http;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Cli;

/// <summary>Serving: the HTTP host until shutdown, the configuration and the web config re-read on SIGHUP and
/// when they change, and the idle memory trimmer.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ExporterServices services, StructuredLoggerProvider loggerProvider, ILogger log, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var app = ExporterHost.Build(services, loggerProvider);
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

        using var reloads = WatchFiles(services.Config, services.WebConfig, services.Time);
        using var sighup = reloads is null ? null : ReloadOnSighup(services.Config, services.WebConfig);
        using var trimmer = new IdleMemoryTrimmer(services.Time);
        var c = services.Config.Current;
        foreach (var account in c.AccountSections ?? [])
        {
            // One line per [account.NAME] section: name, source, role and regions; the secret ID masked as on the listening line, which comes last so that whoever waits for it has these too.
            // A role's keys come from assume_role; base_source names where the keys that sign AssumeRole come from.
            log.LogInformation("account name={Account} credential_source={Source} base_source={BaseSource} role_arn={RoleArn} regions={Regions} secret_id={SecretId}",
                account.Account, account.RoleBase is null ? account.Credentials.Source : CredentialSourceNames.AssumeRole, account.RoleBase?.Source ?? "none",
                account.RoleArn ?? "none", string.Join(",", account.Regions), account.Credentials.Current?.MaskedSecretId ?? "none");
        }

        log.LogInformation("listening address={Address} version={Version} regions={Regions} credential_source={Source} secret_id={SecretId} endpoint={Endpoint}",
            string.Join(",", ExporterHost.BoundAddresses(app)), BuildInfo.Version, string.Join(",", c.Regions), c.Credentials.Source,
            c.Credentials.Current?.MaskedSecretId ?? "none", ConfigSources.EndpointShown(c));
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return Program.ExitOk;
    }

    /// <summary>The INI file and the web config are re-read by the same rules (<see cref="ReloadableFile{T}"/>): on
    /// SIGHUP, changed or not (<see cref="ReloadOnSighup"/>), and when they changed (checked every second). A bad file
    /// keeps the old one. Each file logs its own outcome, and the configuration's hook (<see cref="ConfigSources"/>)
    /// takes care of the credentials.</summary>
    /// <returns>The poller; null when neither file can be re-read.</returns>
    private static ReloadPoller? WatchFiles(ConfigHolder config, WebConfigWatcher webConfig, TimeProvider time) =>
        // Nothing to re-read under --demo without a web config; SIGHUP keeps its default meaning there.
        !config.CanReload && !webConfig.CanReload ? null : new ReloadPoller(time, config.ReloadIfChanged, webConfig.ReloadIfChanged);

    /// <summary>SIGHUP re-reads both files instead of ending the process; null on Windows, which has no SIGHUP.</summary>
    private static PosixSignalRegistration? ReloadOnSighup(ConfigHolder config, WebConfigWatcher webConfig) =>
        OperatingSystem.IsWindows()
            ? null
            : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                config.Reload();
                webConfig.Reload();
            });
}
