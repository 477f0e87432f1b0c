using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using CkafkaSimulator;
using DatahubExporter.Collectors;
using DatahubExporter.Configuration;
using DatahubExporter.Exposition;
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

    private static readonly string[] DemoRegions = ["ap-guangzhou", "ap-shanghai"];

    // Options as data, next to Main (dotnet-monitor's habit).
    private static readonly Option<string> ListenAddressOption = new("--web.listen-address")
    {
        Description = "Address to listen on: :PORT (all interfaces), HOST:PORT or [IPv6]:PORT.",
        DefaultValueFactory = _ => ExporterOptions.DefaultListenAddress,
    };

    private static readonly Option<string> ConfOption = new("--conf")
    {
        Description = "INI configuration file with [common] secret_id, secret_key, region.",
        DefaultValueFactory = _ => ExporterOptions.DefaultConfigPath,
    };

    private static readonly Option<string?> WebConfigOption = new("--web.config.file")
    {
        Description = "Exporter-toolkit web configuration file (TLS, basic auth).",
    };

    private static readonly Option<string> LogLevelOption = new("--log.level")
    {
        Description = "Only log messages with the given severity or above: debug, info, warn, error.",
        DefaultValueFactory = _ => "info",
    };

    private static readonly Option<string> LogFormatOption = new("--log.format")
    {
        Description = "Log format: logfmt or json.",
        DefaultValueFactory = _ => "logfmt",
    };

    private static readonly Option<bool> OnceOption = new("--once")
    {
        Description = "Collect every path once, print the exposition to stdout and exit (0 if every collection succeeded, else 1).",
    };

    private static readonly Option<bool> ConfigCheckOption = new("--config.check")
    {
        Description = "Validate flags and configuration without calling the API, then exit (0 valid, 2 invalid).",
    };

    private static readonly Option<bool> DemoOption = new("--demo")
    {
        Description = "Serve metrics from the built-in CKafka simulator on loopback: no account needed.",
    };

    private static readonly Option<double> ScrapeTimeoutOffsetOption = new("--scrape.timeout-offset")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds such as 0.5"),
        Description = "Seconds to subtract from Prometheus' X-Prometheus-Scrape-Timeout-Seconds so the answer arrives in time.",
        DefaultValueFactory = _ => 0.5,
    };

    private static readonly Option<double> ScrapeDefaultTimeoutOption = new("--scrape.default-timeout")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds above 0 such as 10 or 2.5"),
        Description = "Seconds a scrape may take when the scraper sends no timeout header.",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<double> ScrapeMaxTimeoutOption = new("--scrape.max-timeout")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds above 0 such as 120"),
        Description = "Seconds a collection may run at most, whatever a scrape's timeout header asks for.",
        DefaultValueFactory = _ => 120,
    };

    private static readonly Option<double> CacheTtlOption = new("--cache.ttl")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds such as 30 (0: off)"),
        Description = "Seconds to serve the last fully successful collection without calling the API again (0: off).",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<double> ApiRateLimitOption = new("--api.rate-limit")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of requests per second such as 20 (0: unlimited)"),
        Description = "Client-side limit of API requests per second per action and API host (Tencent allows 20; each window keeps a 50 ms margin for arrival jitter).",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int> ApiMaxAttemptsOption = new("--api.max-attempts")
    {
        CustomParser = r => ParseNumber<int>(r, "a whole number from 1 to 20"),
        Description = "Attempts per API request, the first included; retries only for retryable errors and within the scrape deadline.",
        DefaultValueFactory = _ => 4,
    };

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return await RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The last line of defence: a bug must still end as one line, never a stack trace on a user's terminal.
            await Console.Error.WriteLineAsync($"datahub_exporter: unexpected error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return ExitFailed;
        }
    }

    public static RootCommand CreateCommand()
    {
        var root = new RootCommand("Prometheus exporter for Tencent Cloud CKafka Datahub tasks and connect resources.");
        foreach (var option in new Option[]
                 {
                     ListenAddressOption, ConfOption, WebConfigOption, LogLevelOption, LogFormatOption, OnceOption, ConfigCheckOption, DemoOption,
                     ScrapeTimeoutOffsetOption, ScrapeDefaultTimeoutOption, ScrapeMaxTimeoutOption, CacheTtlOption, ApiRateLimitOption, ApiMaxAttemptsOption,
                 })
        {
            root.Options.Add(option);
        }

        LogLevelOption.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        LogFormatOption.AcceptOnlyFromAmong("logfmt", "json");
        return root;
    }

    /// <summary>The whole program with its I/O passed in, so tests can run it in-process.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnv, CancellationToken cancellationToken)
    {
        ProcessMetrics.Initialize();
        var root = CreateCommand();
        var parsed = root.Parse(AcceptGoSpellings(args, root));
        if (parsed.UnmatchedTokens.Count > 0)
        {
            await stderr.WriteLineAsync($"datahub_exporter: {UnknownArgument(parsed.UnmatchedTokens[0], root)} (see --help)").ConfigureAwait(false);
            return ExitUsage;
        }

        if (parsed.Errors.Count > 0)
        {
            var oneLine = string.Join(' ', parsed.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
            await stderr.WriteLineAsync($"datahub_exporter: {oneLine} (see --help)").ConfigureAwait(false);
            return ExitUsage;
        }

        // The root command has no action of its own, so an action here is --help's or --version's.
        if (parsed.Action is not null)
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
        }

        ExporterOptions options;
        try
        {
            options = ReadOptions(parsed);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"datahub_exporter: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        using var loggerProvider = new StructuredLoggerProvider(options.LogLevel, options.LogFormat, stderr);
        using var loggers = LoggerFactory.Create(b => b.ClearProviders().AddProvider(loggerProvider).SetMinimumLevel(options.LogLevel));
        var log = loggers.CreateLogger("datahub_exporter");

        await using var demo = parsed.GetValue(DemoOption) ? await SimulatorServer.StartAsync(new SimulatorOptions(), cancellationToken).ConfigureAwait(false) : null;
        ConfigHolder config;
        try
        {
            config = demo is null ? LoadConfig(options, getEnv, loggers) : DemoConfig(demo);
        }
        catch (ConfigException e)
        {
            await stderr.WriteLineAsync($"datahub_exporter: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        // Credentials are fetched before anything else: --config.check and --once report a source that does not
        // answer as a configuration error (exit 2; metadata and STS are not the CKafka API, which --config.check
        // never calls); a server starts anyway and fails collections until a background refresh succeeds.
        var checkOrOnce = parsed.GetValue(ConfigCheckOption) || parsed.GetValue(OnceOption);
        try
        {
            await config.Current.Credentials.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialException e) when (checkOrOnce)
        {
            config.Current.Credentials.Dispose();
            await stderr.WriteLineAsync($"datahub_exporter: credentials: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (CredentialException e)
        {
            log.LogError("no credentials yet, collections fail until the source answers source={Source} err={Error}", config.Current.Credentials.Source, e.Message);
        }

        loggerProvider.Protect(config.Current.Credentials);
        WebConfigWatcher webConfig;
        try
        {
            webConfig = WebConfigWatcher.Load(options.WebConfigPath, loggers.CreateLogger<WebConfigWatcher>());
        }
        catch (WebConfigException e)
        {
            await stderr.WriteLineAsync($"datahub_exporter: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        if (parsed.GetValue(ConfigCheckOption))
        {
            var c = config.Current;
            await stdout.WriteLineAsync(
                $"configuration OK: file={FileShown(c, demo is not null)} regions={string.Join(',', c.Regions)} {CredentialsShown(c.Credentials)} " +
                $"endpoint={EndpointShown(c)} web_config={options.WebConfigPath ?? "none"}").ConfigureAwait(false);
            c.Credentials.Dispose();
            return ExitOk;
        }

        using var services = new ExporterServices(options, config, loggers, TimeProvider.System, webConfig: webConfig);
        if (parsed.GetValue(OnceOption))
        {
            return await OnceAsync(services, stdout, cancellationToken).ConfigureAwait(false);
        }

        return await ServeAsync(services, loggerProvider, webConfig, log, stderr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of a number flag, or an error that names the flag and says in words what it wants
    /// (System.CommandLine's own says "expected type 'System.Double'").</summary>
    private static T ParseNumber<T>(ArgumentResult result, string expected) where T : struct, INumber<T>
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (T.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"invalid {FlagName(result)} {ConfigLoader.Echo(token)}: expected {expected}");
        return T.Zero;
    }

    private static string FlagName(ArgumentResult result) => (result.Parent as OptionResult)?.Option.Name ?? "flag";

    /// <summary>The message for an argument no flag took: the nearest flag name for a mistyped one.</summary>
    internal static string UnknownArgument(string token, RootCommand root)
    {
        if (!token.StartsWith('-') || token == "-")
        {
            return $"unexpected argument {ConfigLoader.Echo(token)}: flags are given as --name=value or --name value";
        }

        // Only the name: whatever follows '=' may be a value nobody should see again.
        var name = token.Split('=', 2)[0];
        var candidates = root.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct();
        var typed = "--" + name.TrimStart('-');
        var (nearest, distance) = candidates
            .Select(c => (Name: c, Distance: EditDistance(typed, c)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        var shown = name.Length <= 64 ? name : name[..64] + "…";
        return nearest is not null && distance <= Math.Max(2, typed.Length / 4)
            ? $"unknown flag {shown}; did you mean {nearest}?"
            : $"unknown flag {shown}";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions each cost one.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>
    /// The original tool used Go's flag package, so its users write <c>-conf=…</c> and <c>-web.listen-address …</c>:
    /// a single dash before one of our long names becomes a double dash. Values are left alone.
    /// </summary>
    public static string[] AcceptGoSpellings(IReadOnlyList<string> args, RootCommand root)
    {
        var names = root.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var result = new string[args.Count];
        var afterSeparator = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            afterSeparator |= arg == "--";
            var name = arg.Split('=', 2)[0];
            result[i] = !afterSeparator && arg.Length > 1 && arg[0] == '-' && arg[1] != '-' && names.Contains("-" + name) ? "-" + arg : arg;
        }

        return result;
    }

    private static ExporterOptions ReadOptions(ParseResult parsed)
    {
        static TimeSpan Seconds(ParseResult p, Option<double> o, bool allowZero)
        {
            var v = p.GetValue(o);
            if (!double.IsFinite(v) || v < 0 || (!allowZero && v == 0) || v > 86_400)
            {
                throw new FormatException($"invalid {o.Name} {v}: must be a number of seconds{(allowZero ? " from 0" : " above 0")} up to 86400");
            }

            return TimeSpan.FromSeconds(v);
        }

        var rate = parsed.GetValue(ApiRateLimitOption);
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new FormatException($"invalid --api.rate-limit {rate}: must be 0 (unlimited) or a positive number of requests per second");
        }

        var attempts = parsed.GetValue(ApiMaxAttemptsOption);
        if (attempts is < 1 or > 20)
        {
            throw new FormatException($"invalid --api.max-attempts {attempts}: must be from 1 to 20");
        }

        return new ExporterOptions
        {
            ListenAddress = ParseListenAddress(parsed.GetValue(ListenAddressOption)!),
            ConfigPath = parsed.GetValue(ConfOption)!,
            WebConfigPath = parsed.GetValue(WebConfigOption),
            LogLevel = parsed.GetValue(LogLevelOption) switch
            {
                "debug" => LogLevel.Debug,
                "warn" => LogLevel.Warning,
                "error" => LogLevel.Error,
                _ => LogLevel.Information,
            },
            LogFormat = parsed.GetValue(LogFormatOption) == "json" ? LogFormat.Json : LogFormat.Logfmt,
            ScrapeTimeoutOffset = Seconds(parsed, ScrapeTimeoutOffsetOption, allowZero: true),
            DefaultScrapeTimeout = Seconds(parsed, ScrapeDefaultTimeoutOption, allowZero: false),
            MaxScrapeTimeout = Seconds(parsed, ScrapeMaxTimeoutOption, allowZero: false),
            CacheTtl = Seconds(parsed, CacheTtlOption, allowZero: true),
            ApiRateLimit = rate,
            ApiMaxAttempts = attempts,
        };
    }

    private static ListenAddress ParseListenAddress(string text)
    {
        try
        {
            return ListenAddress.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{ListenAddressOption.Name}: {e.Message}", e);
        }
    }

    private static ConfigHolder LoadConfig(ExporterOptions options, Func<string, string?> getEnv, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("datahub_exporter");
        var path = ExporterOptions.ExpandHome(options.ConfigPath);
        var chain = new CredentialChain(CredentialChain.CreateHttpClient(useProxy: false), CredentialChain.CreateHttpClient(useProxy: true),
            TimeProvider.System, loggers.CreateLogger("credentials"), new CredentialMetrics());
        var initial = ConfigLoader.Load(path, getEnv, chain);
        foreach (var warning in ConfigLoader.Warnings(path))
        {
            log.LogWarning("{Warning}", warning);
        }

        return new ConfigHolder(initial, () => ReloadConfig(path, getEnv, chain), TimeProvider.System);
    }

    /// <summary>
    /// SIGHUP re-reads everything, credential sources included: the new provider must produce keys before the
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
    private static string CredentialsShown(CredentialProvider credentials) =>
        $"credential_source={credentials.Source} {credentials.Detail} secret_id={credentials.Current?.MaskedSecretId ?? "none"}" +
        (credentials.Expiry is { } expiry ? $" expires={expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}" : "");

    private static ConfigHolder DemoConfig(SimulatorServer demo) => new(new ExporterConfig
    {
        Credentials = new Credentials(SimulatorOptions.DemoSecretId, SimulatorOptions.DemoSecretKey, null),
        Regions = DemoRegions,
        Endpoint = demo.BaseAddress,
        SourcePath = "(--demo: built-in simulator)",
    }, null, TimeProvider.System);

    /// <summary>The config file when one was read; "none" when the environment supplied everything and it is absent.</summary>
    private static string FileShown(ExporterConfig config, bool demo) =>
        demo || File.Exists(config.SourcePath) ? config.SourcePath : "none";

    private static string EndpointShown(ExporterConfig config) => config.Endpoint?.ToString() ?? "ckafka.<region>.tencentcloudapi.com";

    /// <summary>
    /// Every path once, collected concurrently through the engine and written as ONE exposition (the shared
    /// families are rendered once with every path's samples), so it is valid for <c>promtool check metrics</c>.
    /// </summary>
    private static async Task<int> OnceAsync(ExporterServices services, TextWriter stdout, CancellationToken cancellationToken)
    {
        var answer = await services.Engine.ScrapeAllAsync(services.Options.DefaultScrapeTimeout, cancellationToken).ConfigureAwait(false);
        var body = answer.Body.Payload(ExpositionFormat.PrometheusText004, gzip: false);
        await stdout.WriteAsync(System.Text.Encoding.UTF8.GetString(body.Span)).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return answer.AllSucceeded ? ExitOk : ExitFailed;
    }

    private static async Task<int> ServeAsync(ExporterServices services, StructuredLoggerProvider loggerProvider, WebConfigWatcher webConfig, ILogger log,
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
            return ExitFailed;
        }

        using var sighup = RegisterReload(services.Config, webConfig, loggerProvider, log);
        using var trimmer = new IdleMemoryTrimmer(TimeProvider.System);
        var c = services.Config.Current;
        log.LogInformation("listening address={Address} version={Version} regions={Regions} credential_source={Source} secret_id={SecretId} endpoint={Endpoint}",
            string.Join(",", ExporterHost.BoundAddresses(app)), BuildInfo.Version, string.Join(",", c.Regions), c.Credentials.Source,
            c.Credentials.Current?.MaskedSecretId ?? "none", EndpointShown(c));
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitOk;
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
