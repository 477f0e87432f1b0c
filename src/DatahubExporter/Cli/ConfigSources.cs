using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Cli;

/// <summary>Where the configuration comes from: the INI file and environment (re-read on SIGHUP and when the
/// file changes, credentials included), or the built-in simulator under <c>--demo</c>; and how it is shown
/// without a secret.</summary>
internal static class ConfigSources
{
    private static readonly string[] DemoRegions = ["ap-guangzhou", "ap-shanghai"];

    public static ConfigHolder LoadConfig(ExporterOptions options, Func<string, string?> getEnv, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("datahub_exporter");
        var path = ExporterOptions.ExpandHome(options.ConfigPath);
        var chain = new CredentialChain(CredentialChain.CreateHttpClient(useProxy: false), CredentialChain.CreateHttpClient(useProxy: true),
            TimeProvider.System, loggers.CreateLogger("credentials"), new CredentialMetrics());
        var initial = ConfigLoader.Load(path, getEnv, chain);
        foreach (var warning in ConfigLoader.Warnings(path).Concat(KnownRegions.Warnings(initial.Regions)))
        {
            log.LogWarning("{Warning}", warning);
        }

        return new ConfigHolder(initial, () => ReloadConfig(path, getEnv, chain), TimeProvider.System);
    }

    /// <summary>
    /// A reload re-reads everything, credential sources included: the new provider must produce keys before the
    /// new configuration replaces the old one, so a source that does not answer keeps the old keys in force.
    /// </summary>
    private static ExporterConfig ReloadConfig(string path, Func<string, string?> getEnv, CredentialChain chain)
    {
        var next = ConfigLoader.Load(path, getEnv, chain);
        try
        {
            // Bounded: metadata calls time out after 2 s and STS after 5 s; this only guards against a bug.
            next.Credentials.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            return next;
        }
        catch (Exception e) when (e is CredentialException or TimeoutException)
        {
            next.Credentials.Dispose();
            throw new ConfigException($"credentials: {e.Message}");
        }
    }

    /// <summary>Which source signs the calls, for the start-up log and --config.check: never a secret.</summary>
    public static string CredentialsShown(CredentialProvider credentials) =>
        $"credential_source={credentials.Source} {credentials.Detail} secret_id={credentials.Current?.MaskedSecretId ?? "none"}" +
        (credentials.Expiry is { } expiry ? $" expires={expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}" : "");

    public static ConfigHolder DemoConfig(CkafkaApiServer demo) => new(new ExporterConfig
    {
        Credentials = new Credentials(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null),
        Regions = DemoRegions,
        Endpoint = demo.BaseAddress,
        SourcePath = "(--demo: built-in simulator)",
    }, null, TimeProvider.System);

    /// <summary>
    /// What <c>--config.check</c> prints under its "configuration OK" line, indented: the filters in force (an
    /// operator's typo in a pattern otherwise shows only as missing series). Region and permission warnings go
    /// to the log at load, so the start-up of a server shows them too.
    /// </summary>
    public static IEnumerable<string> CheckDetails(ExporterConfig config)
    {
        yield return $"  task filter: {config.TaskFilter.Shown}";
        yield return $"  resource filter: {config.ResourceFilter.Shown}";
    }

    /// <summary>The config file when one was read; "none" when the environment supplied everything and it is absent.</summary>
    public static string FileShown(ExporterConfig config, bool demo) =>
        demo || File.Exists(config.SourcePath) ? config.SourcePath : "none";

    public static string EndpointShown(ExporterConfig config) => config.Endpoint?.ToString() ?? "ckafka.<region>.tencentcloudapi.com";
}
