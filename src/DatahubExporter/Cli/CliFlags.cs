using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using DatahubExporter.Configuration;
using DatahubExporter.Telemetry;

namespace DatahubExporter.Cli;

/// <summary>The flags as data (dotnet-monitor's habit): each option with its description and default, the root
/// command that holds them, and the step from parsed flags to <see cref="ExporterOptions"/>. Errors name the flag
/// and say in words what it wants.</summary>
internal static class CliFlags
{
    // The spellings of --log.level and --log.format; their defaults are ExporterOptions'.
    private static readonly Dictionary<string, LogLevel> LogLevels = new(StringComparer.Ordinal)
    {
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
    };

    private static readonly Dictionary<string, LogFormat> LogFormats = new(StringComparer.Ordinal)
    {
        ["logfmt"] = LogFormat.Logfmt,
        ["json"] = LogFormat.Json,
    };

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

    private static readonly Option<string> LogLevelOption = OneOf(new Option<string>("--log.level")
    {
        Description = "Only log messages with the given severity or above: debug, info, warn, error.",
        DefaultValueFactory = _ => LogLevels.First(l => l.Value == ExporterOptions.Defaults.LogLevel).Key,
    }, LogLevels.Keys);

    private static readonly Option<string> LogFormatOption = OneOf(new Option<string>("--log.format")
    {
        Description = "Log format: logfmt or json.",
        DefaultValueFactory = _ => LogFormats.First(f => f.Value == ExporterOptions.Defaults.LogFormat).Key,
    }, LogFormats.Keys);

    public static readonly Option<bool> OnceOption = new("--once")
    {
        Description = "Collect every path once, print the exposition to stdout and exit (0 if every collection succeeded, else 1).",
    };

    public static readonly Option<bool> ConfigCheckOption = new("--config.check")
    {
        Description = "Validate flags and configuration without calling the API, then exit (0 valid, 2 invalid).",
    };

    public static readonly Option<bool> DemoOption = new("--demo")
    {
        Description = "Serve metrics from the built-in CKafka simulator on loopback: no account needed.",
    };

    private static readonly Option<double> ScrapeTimeoutOffsetOption = new("--scrape.timeout-offset")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds such as 0.5"),
        Description = "Seconds to subtract from Prometheus' X-Prometheus-Scrape-Timeout-Seconds so the answer arrives in time.",
        DefaultValueFactory = _ => ExporterOptions.Defaults.ScrapeTimeoutOffset.TotalSeconds,
    };

    private static readonly Option<double> ScrapeDefaultTimeoutOption = new("--scrape.default-timeout")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds above 0 such as 10 or 2.5"),
        Description = "Seconds a scrape may take when the scraper sends no timeout header.",
        DefaultValueFactory = _ => ExporterOptions.Defaults.DefaultScrapeTimeout.TotalSeconds,
    };

    private static readonly Option<double> ScrapeMaxTimeoutOption = new("--scrape.max-timeout")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds above 0 such as 120"),
        Description = "Seconds a collection may run at most, whatever a scrape's timeout header asks for.",
        DefaultValueFactory = _ => ExporterOptions.Defaults.MaxScrapeTimeout.TotalSeconds,
    };

    private static readonly Option<double> CacheTtlOption = new("--cache.ttl")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of seconds such as 30 (0: off)"),
        Description = "Seconds to serve the last fully successful collection without calling the API again (0: off).",
        DefaultValueFactory = _ => ExporterOptions.Defaults.CacheTtl.TotalSeconds,
    };

    private static readonly Option<double> ApiRateLimitOption = new("--api.rate-limit")
    {
        CustomParser = r => ParseNumber<double>(r, "a number of requests per second such as 20 (0: unlimited)"),
        Description = "Client-side limit of API requests per second per action and API host (Tencent allows 20; each window keeps a " +
                      $"{ExporterServices.RateLimitWindowGuard.TotalMilliseconds:0} ms margin for arrival jitter).",
        DefaultValueFactory = _ => ExporterOptions.Defaults.ApiRateLimit,
    };

    private static readonly Option<int> ApiMaxAttemptsOption = new("--api.max-attempts")
    {
        CustomParser = r => ParseNumber<int>(r, "a whole number from 1 to 20"),
        Description = "Attempts per API request, the first included; retries only for retryable errors and within the scrape deadline.",
        DefaultValueFactory = _ => ExporterOptions.Defaults.ApiMaxAttempts,
    };

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

        return root;
    }

    /// <summary>Restricts <paramref name="option"/> to <paramref name="values"/>, once, as the option is made: the options
    /// are shared by every command <see cref="CreateCommand"/> builds, and adding the rule there again added another
    /// validator and completion source to the shared option on every call, while other calls (tests running the
    /// program in parallel) enumerated them.</summary>
    private static Option<string> OneOf(Option<string> option, IEnumerable<string> values)
    {
        option.AcceptOnlyFromAmong([.. values]);
        return option;
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

    public static ExporterOptions ReadOptions(ParseResult parsed)
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
            LogLevel = LogLevels[parsed.GetValue(LogLevelOption)!],
            LogFormat = LogFormats[parsed.GetValue(LogFormatOption)!],
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
}
