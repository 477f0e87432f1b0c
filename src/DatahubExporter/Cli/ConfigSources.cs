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

    public static ConfigHolder LoadConfig(ExporterOptions options, Func<string, string?> getEnv, ILoggerFactory loggers, TimeProvider time)
    {
        var log = loggers.CreateLogger("datahub_exporter");
        var path = ExporterOptions.ExpandHome(options.ConfigPath);
        var chain = new CredentialChain(CredentialChain.CreateHttpClient(useProxy: false), CredentialChain.CreateHttpClient(useProxy: true),
            time, loggers.CreateLogger("credentials"), new CredentialMetrics());
        var initial = ConfigLoader.Load(path, getEnv, chain);
        foreach (var warning in ConfigLoader.Warnings(path).Concat(KnownRegions.Warnings(initial.Accounts.SelectMany(a => a.Regions).Distinct().ToList()))
                     .Concat(initial.SharedBudgetWarnings()))
        {
            log.LogWarning("{Warning}", warning);
        }

        return new ConfigHolder(initial, () => ReloadConfig(path, getEnv, chain), time);
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
            var failures = StartCredentialsAsync(next, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (failures.Count > 0)
            {
                throw new CredentialException(string.Join("; ", failures));
            }

            return next;
        }
        catch (Exception e) when (e is CredentialException or TimeoutException)
        {
            DisposeCredentials(next);
            throw new ConfigException($"credentials: {e.Message}");
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
            var source = account.RoleBase is { } roleBase ? $"{CredentialSourceNames.AssumeRole} base={roleBase.Source}" : account.Credentials.Source;
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
        }, null, time);
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
