using CkafkaSimulator;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Cli;

/// <summary>Where the configuration comes from: the INI file and environment (re-read on SIGHUP and when the
/// file changes, credentials included), or the built-in simulator under <c>--demo</c>; and how it is shown
/// without a secret.</summary>
internal static class ConfigSources
{
    private static readonly string[] DemoRegions = ["ap-guangzhou", "ap-shanghai"];

    public static ConfigHolder LoadConfig(ExporterOptions options, Func<string, string?> getEnv, ILoggerFactory loggers, StructuredLoggerProvider secrets,
        TimeProvider time)
    {
        var chain = new CredentialChain(CredentialChain.CreateHttpClient(useProxy: false), CredentialChain.CreateHttpClient(useProxy: true),
            time, loggers.CreateLogger("credentials"), new CredentialMetrics());
        return LoadConfig(ExporterOptions.ExpandHome(options.ConfigPath), getEnv, chain, loggers.CreateLogger("datahub_exporter"), secrets, time);
    }

    /// <summary>The INI file at <paramref name="path"/>, read through <paramref name="chain"/> and re-read the same way;
    /// <paramref name="log"/> gets the warnings and the reloads.</summary>
    /// <exception cref="ConfigException">The file is bad at start-up.</exception>
    internal static ConfigHolder LoadConfig(string path, Func<string, string?> getEnv, CredentialChain chain, ILogger log, StructuredLoggerProvider secrets,
        TimeProvider time)
    {
        var initial = ConfigLoader.Load(path, getEnv, chain);
        foreach (var warning in ConfigLoader.Warnings(path).Concat(KnownRegions.Warnings(initial.Accounts.SelectMany(a => a.Regions).Distinct().ToList()))
                     .Concat(initial.SharedBudgetWarnings()))
        {
            log.LogWarning("{Warning}", warning);
        }

        return new ConfigHolder(initial, () => ConfigLoader.Load(path, getEnv, chain), log, time, (previous, next) => TakeOver(previous, next, secrets, log));
    }

    /// <summary>
    /// A reload re-reads everything, credential sources included, and waits on none of them: the new configuration is
    /// in force at once, its providers' keys scrubbed from every line from now on and their first fetch started in the
    /// background. Until a source answers, the collections of its accounts wait for that first fetch within their
    /// deadline, then fail with <c>credentials: …</c>, as at the start of a server; its failure is logged as there.
    /// The previous configuration's providers that are no longer used are stopped.
    /// </summary>
    private static void TakeOver(ExporterConfig previous, ExporterConfig next, StructuredLoggerProvider secrets, ILogger log)
    {
        foreach (var provider in next.CredentialProviders())
        {
            secrets.Protect(provider);
        }

        _ = StartInBackgroundAsync(next, log);
        var kept = next.CredentialProviders();
        foreach (var old in previous.CredentialProviders().Where(p => !kept.Contains(p)))
        {
            // Stops the old provider's refresh timer; scrapes still holding it keep reading its keys.
            old.Dispose();
        }
    }

    private static async Task StartInBackgroundAsync(ExporterConfig config, ILogger log)
    {
        // Off the reloading thread (the poll's timer, the SIGHUP handler) before any source is asked.
        await Task.Yield();
        try
        {
            LogNoCredentials(log, config, await StartCredentialsAsync(config, CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // A later reload replaced this configuration (and stopped its sources) before they answered: nothing to
            // report, and no exception left unobserved on a task nobody awaits.
        }
    }

    /// <summary>A server's (or a reload's) sources that did not answer their first fetch: one error line each.</summary>
    public static void LogNoCredentials(ILogger log, ExporterConfig config, IEnumerable<string> failures)
    {
        foreach (var failure in failures)
        {
            log.LogError("no credentials yet, collections fail until the source answers source={Source} err={Error}", config.Credentials.Source, failure);
        }
    }

    /// <summary>
    /// Starts every credential provider of <paramref name="config"/>: base sources first (concurrently), then the
    /// accounts' roles, whose <c>AssumeRole</c> needs a base's keys. Returns one line per failure (the account named
    /// when there are account sections), empty when all have keys; never throws for a source that does not answer.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StartCredentialsAsync(ExporterConfig config, CancellationToken cancellationToken)
    {
        var roles = config.Accounts.Where(a => a.RoleArn is not null).Select(a => a.Credentials).ToHashSet();
        var failures = new List<string>();
        foreach (var phase in new[] { config.CredentialProviders().Where(p => !roles.Contains(p)), roles })
        {
            var started = await Task.WhenAll(phase.Select(async provider =>
            {
                try
                {
                    await provider.StartAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                }
                catch (CredentialException e)
                {
                    var names = config.AccountSections is null ? null
                        : string.Join(",", config.Accounts.Where(a => a.Credentials == provider || (a.RoleBase == provider && a.RoleArn is not null)).Select(a => a.Account));
                    return names is null ? e.Message : $"account {(names.Length > 0 ? names : "(none)")}: {e.Message}";
                }
            })).ConfigureAwait(false);
            failures.AddRange(started.OfType<string>());
        }

        return failures;
    }

    /// <summary>Stops the background refresh of every provider of <paramref name="config"/>.</summary>
    public static void DisposeCredentials(ExporterConfig config)
    {
        foreach (var provider in config.CredentialProviders())
        {
            provider.Dispose();
        }
    }

    /// <summary>Which source signs the calls, for the start-up log and --config.check: never a secret.</summary>
    public static string CredentialsShown(CredentialProvider credentials) =>
        $"credential_source={credentials.Source} {credentials.Detail} secret_id={credentials.Current?.MaskedSecretId ?? "none"}" +
        (credentials.Expiry is { } expiry ? $" expires={expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}" : "");

    /// <summary>For <c>--config.check</c>: one line per account section (none without them), then one per pair of
    /// accounts that share a real API budget. Names, sources, role ARNs and regions only: never a secret.</summary>
    public static IEnumerable<string> AccountLines(ExporterConfig config)
    {
        foreach (var account in config.AccountSections ?? [])
        {
            var source = account.RoleBase is { } roleBase ? $"{CredentialSourceNames.AssumeRole} base_source={roleBase.Source}" : account.Credentials.Source;
            yield return $"account {account.Account}: credential_source={source} role_arn={account.RoleArn ?? "none"} regions={string.Join(',', account.Regions)} " +
                         $"secret_id={account.Credentials.Current?.MaskedSecretId ?? "none"}";
        }

        foreach (var warning in config.SharedBudgetWarnings())
        {
            yield return "warning: " + warning;
        }
    }

    /// <summary>The second account <c>--demo</c> shows: reached through its role with STS <c>AssumeRole</c>, as a real
    /// cross-account setup is (the simulator serves STS on the same address).</summary>
    public static readonly SimulatedAccount DemoStagingAccount = new()
    {
        Name = "staging",
        RoleArn = "qcs::cam::uin/100000000002:roleName/DatahubExporterReader",
        DataSet = SimulatorDataSet.Demo(40, 12, seed: 2),
    };

    /// <summary>The simulator <c>--demo</c> starts: the default account's data as always, and <see cref="DemoStagingAccount"/>.</summary>
    public static SimulatorOptions DemoSimulatorOptions() => new() { DataSet = SimulatorDataSet.Demo(), Accounts = [DemoStagingAccount] };

    /// <summary>Two accounts, as <c>[account.demo]</c> and <c>[account.staging]</c> would give them: the demo key's own
    /// account first, then the staging account through its role.</summary>
    public static ConfigHolder DemoConfig(CkafkaApiServer demo, TimeProvider time)
    {
        const string source = "(--demo: built-in simulator)";
        CredentialProvider keys = new Credentials(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null);
        var sts = demo.BaseAddress.ToString();
        // A chain that logs nothing (the demo keys need no story), on the process's clock.
        var chain = new CredentialChain(CredentialChain.CreateHttpClient(useProxy: false), CredentialChain.CreateHttpClient(useProxy: true),
            time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new CredentialMetrics());
        var role = chain.AssumeRole(keys, new AssumeRoleSettings("staging", DemoStagingAccount.RoleArn!, null, null, null, DemoRegions[0]),
            name => name == CredentialChain.StsEndpointVariable ? sts : null);
        ExporterConfig Account(string name, CredentialProvider credentials, string? roleArn) => new()
        {
            Account = name,
            Credentials = credentials,
            Regions = DemoRegions,
            Endpoint = demo.BaseAddress,
            SourcePath = source,
            RoleArn = roleArn,
            RoleBase = roleArn is null ? null : keys,
            BudgetIdentity = roleArn ?? SimulatorOptions.DemoSecretId,
        };

        return new(new ExporterConfig
        {
            Credentials = keys,
            Regions = DemoRegions,
            Endpoint = demo.BaseAddress,
            SourcePath = source,
            AccountSections = [Account("demo", keys, null), Account("staging", role, DemoStagingAccount.RoleArn)],
        }, time);
    }

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
