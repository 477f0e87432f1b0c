using System.CommandLine;
using CkafkaSimulator;
using DatahubExporter.Cli;
using DatahubExporter.Configuration;
using DatahubExporter.Http;
using DatahubExporter.TencentCloud.CredentialSources;
using DatahubExporter.Telemetry;

namespace DatahubExporter;

/// <summary>
/// The table of contents: flags → options → configuration → (check | once | serve). Every failure the user
/// can cause becomes one line on standard error and an exit code: 0 ok, 1 collection or start-up failed,
/// 2 bad usage or bad configuration. Only this class catches everything, and only to keep that promise.
/// </summary>
internal static class Program
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return await RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The last line of defence: a bug must still end as one line, never a stack trace on a user's terminal.
            await Console.Error.WriteLineAsync($"datahub_exporter: unexpected error: {e.GetType().Name}: {SecretScrubber.Process.Scrub(e.Message)}").ConfigureAwait(false);
            return ExitFailed;
        }
    }

    /// <summary>The whole program with its I/O passed in, so tests can run it in-process.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnv, CancellationToken cancellationToken)
    {
        ProcessMetrics.Initialize();
        var root = CliFlags.CreateCommand();
        root.SetAction((parsed, token) => RunParsedAsync(parsed, stdout, stderr, getEnv, token));
        var spelled = FlagSpelling.AcceptGoSpellings(args, root);
        var parsed = root.Parse(spelled);
        if (parsed.UnmatchedTokens.Count > 0)
        {
            return await UsageAsync(stderr, $"{FlagSpelling.UnknownArgument(parsed.UnmatchedTokens[0], root, spelled)} (see --help)").ConfigureAwait(false);
        }

        if (parsed.Errors.Count > 0)
        {
            var oneLine = string.Join(' ', parsed.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
            return await UsageAsync(stderr, $"{oneLine} (see --help)").ConfigureAwait(false);
        }

        // --help and --version run their own actions, everything else RunParsedAsync. An exception reaches Main (one
        // line, not System.CommandLine's stack trace), and SIGTERM/Ctrl+C stay the host's: no termination timeout here.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Bad usage or bad configuration: one line on standard error and exit code 2.</summary>
    private static async Task<int> UsageAsync(TextWriter stderr, string message)
    {
        // Not through the logger, so scrubbed here: a fetched key may be quoted by a source's error.
        await stderr.WriteLineAsync($"datahub_exporter: {SecretScrubber.Process.Scrub(message)}").ConfigureAwait(false);
        return ExitUsage;
    }

    /// <summary>Options → logging → configuration → credentials → web config, then --config.check, --once or serving.</summary>
    private static async Task<int> RunParsedAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnv,
        CancellationToken cancellationToken)
    {
        // The one clock of the process: everything below gets it passed down, so tests can give another.
        var time = TimeProvider.System;
        ExporterOptions options;
        try
        {
            options = CliFlags.ReadOptions(parsed);
        }
        catch (FormatException e)
        {
            return await UsageAsync(stderr, e.Message).ConfigureAwait(false);
        }

        using var loggerProvider = new StructuredLoggerProvider(options.LogLevel, options.LogFormat, stderr, SecretScrubber.Process);
        using var loggers = LoggerFactory.Create(b => b.ClearProviders().AddProvider(loggerProvider).SetMinimumLevel(options.LogLevel));
        var log = loggers.CreateLogger("datahub_exporter");

        await using var demo = parsed.GetValue(CliFlags.DemoOption) ? await CkafkaApiServer.StartAsync(ConfigSources.DemoSimulatorOptions(), cancellationToken).ConfigureAwait(false) : null;
        ConfigHolder config;
        try
        {
            config = demo is null ? ConfigSources.LoadConfig(options, getEnv, loggers, loggerProvider, time) : ConfigSources.DemoConfig(demo, time);
        }
        catch (ConfigException e)
        {
            return await UsageAsync(stderr, e.Message).ConfigureAwait(false);
        }

        // Credentials are fetched before anything else: --config.check and --once report a source that does not
        // answer as a configuration error (exit 2; metadata and STS are not the CKafka API, which --config.check
        // never calls); a server starts anyway and fails collections until a background refresh succeeds.
        // With account sections, --once collects the accounts that have keys and fails (exit 1) for the others.
        var check = parsed.GetValue(CliFlags.ConfigCheckOption);
        var checkOrOnce = check || (parsed.GetValue(CliFlags.OnceOption) && config.Current.AccountSections is null);
        var failures = await ConfigSources.StartCredentialsAsync(config.Current, cancellationToken).ConfigureAwait(false);
        if (failures.Count > 0 && checkOrOnce)
        {
            ConfigSources.DisposeCredentials(config.Current);
            return await UsageAsync(stderr, $"credentials: {string.Join("; ", failures)}").ConfigureAwait(false);
        }

        ConfigSources.LogNoCredentials(log, config.Current, failures);
        foreach (var provider in config.Current.CredentialProviders())
        {
            loggerProvider.Protect(provider);
        }

        WebConfigWatcher webConfig;
        try
        {
            webConfig = WebConfigWatcher.Load(options.WebConfigPath, loggers.CreateLogger<WebConfigWatcher>(), time);
        }
        catch (WebConfigException e)
        {
            return await UsageAsync(stderr, e.Message).ConfigureAwait(false);
        }

        if (parsed.GetValue(CliFlags.ConfigCheckOption))
        {
            var c = config.Current;
            await stdout.WriteLineAsync(
                $"configuration OK: file={ConfigSources.FileShown(c, demo is not null)} regions={string.Join(',', c.Regions)} {ConfigSources.CredentialsShown(c.Credentials)} " +
                $"endpoint={ConfigSources.EndpointShown(c)} web_config={options.WebConfigPath ?? "none"}").ConfigureAwait(false);
            foreach (var line in ConfigSources.AccountLines(c).Concat(ConfigSources.CheckDetails(c)))
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            ConfigSources.DisposeCredentials(c);
            return ExitOk;
        }

        using var services = new ExporterServices(options, config, loggers, time, webConfig: webConfig);
        if (parsed.GetValue(CliFlags.OnceOption))
        {
            try
            {
                return await OnceCommand.RunAsync(services, stdout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // As --config.check does: no refresh timer outlives the run (a test runs it in-process).
                ConfigSources.DisposeCredentials(config.Current);
            }
        }

        return await ServeCommand.RunAsync(services, loggerProvider, log, stderr, cancellationToken).ConfigureAwait(false);
    }
}
