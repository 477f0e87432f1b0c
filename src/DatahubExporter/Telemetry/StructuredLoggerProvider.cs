using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DatahubExporter.Configuration;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Telemetry;

/// <summary>
/// Writes log records as logfmt (<c>ts=… level=info msg="…" key=value</c>) or one JSON object per line to
/// standard error, the way Prometheus exporters log. Structured values come from the message template's
/// named holes. One lock serialises lines so concurrent scrapes never interleave output.
/// </summary>
internal sealed partial class StructuredLoggerProvider(LogLevel minimum, LogFormat format, TextWriter output, SecretScrubber? scrubber = null) : ILoggerProvider
{
    /// <summary>Values shorter than this are not scrubbed: too likely to be ordinary words.</summary>
    internal const int MinimumSecretLength = SecretScrubber.MinimumSecretLength;

    private const int MaxSecrets = 64;

    private readonly ConcurrentDictionary<string, StructuredLogger> _loggers = new();
    private readonly Lock _writeLock = new();

    // The process's scrubber in the exporter (Program passes SecretScrubber.Process); a private one in tests.
    private readonly SecretScrubber _scrubber = scrubber ?? new SecretScrubber();

    // Credential providers whose keys change over time (role credentials), watched by ProtectCurrent.
    private volatile WatchedProvider[] _providers = [];

    /// <summary>
    /// From now on, every line (message, fields and error) has the key and token of <paramref name="credentials"/>
    /// replaced by <c>****</c> and the full SecretId by its masked form, whatever carried them there (an API
    /// message, an exception, a framework log). Call for every configuration loaded; earlier credentials stay
    /// protected too (at most the latest few dozen). Thread-safe.
    /// </summary>
    public void Protect(Credentials credentials) => _scrubber.Protect(credentials);

    /// <summary>
    /// Like <see cref="Protect(Credentials)"/> for every key pair <paramref name="provider"/> hands out, now and
    /// after each refresh: role credentials change every hour or so, and a key that was rotated away must stay
    /// scrubbed. The provider's current keys are looked at (a reference compare) before each line is written.
    /// </summary>
    public void Protect(CredentialProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_writeLock)
        {
            if (!_providers.Any(p => ReferenceEquals(p.Provider, provider)))
            {
                // Bounded like the secrets: a long run of SIGHUP reloads keeps only the latest providers.
                _providers = _providers.Append(new WatchedProvider(provider)).TakeLast(MaxSecrets).ToArray();
            }
        }
        ProtectCurrent();
    }

    private void ProtectCurrent()
    {
        foreach (var watched in _providers)
        {
            if (watched.Provider.Current is { } current && !ReferenceEquals(current, watched.LastSeen))
            {
                Protect(current);
                watched.LastSeen = current;
            }
        }
    }

    private sealed class WatchedProvider(CredentialProvider provider)
    {
        public CredentialProvider Provider { get; } = provider;

        public Credentials? LastSeen { get; set; }
    }

    private string Scrub(string text) => _scrubber.Scrub(text);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new StructuredLogger(this, ShortName(name)));

    public void Dispose()
    {
    }

    // "DatahubExporter.Collectors.ScrapeCollector" → "ScrapeCollector"; framework categories stay as they are.
    private static string ShortName(string category) =>
        category.StartsWith("DatahubExporter.", StringComparison.Ordinal) ? category[(category.LastIndexOf('.') + 1)..] : category;

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };

    /// <summary>
    /// Our templates are written <c>"collection failed region={Region} err={Error}"</c>: the text before the
    /// <c>key={Hole}</c> pairs is the message and each pair becomes a field named by its key, as go-kit logs
    /// read. Templates without such pairs (the framework's) are rendered whole.
    /// </summary>
    private void Write(LogLevel level, string logger, string rendered, IEnumerable<KeyValuePair<string, object?>> fields, Exception? exception)
    {
        var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var values = fields.ToList();
        var template = values.FirstOrDefault(f => f.Key == "{OriginalFormat}").Value as string;
        var keyed = template is null ? [] : KeyedHole().Matches(template).ToList();
        var message = keyed.Count == 0 ? rendered : KeyedHole().Replace(template!, "").Trim();
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("ts", ts), new("level", LevelName(level)), new("logger", logger), new("msg", message),
        };
        foreach (var match in keyed)
        {
            var value = values.FirstOrDefault(f => f.Key == match.Groups[2].Value).Value;
            pairs.Add(new(match.Groups[1].Value, Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
        }

        if (exception is not null)
        {
            // Only the message: stack traces belong to crashes, and our exception messages are written to be shown.
            // With the inner ones: framework messages such as "Authentication failed, see inner exception." say
            // nothing alone.
            var messages = new List<string>();
            for (var e = exception; e is not null && messages.Count < 4; e = e.InnerException)
            {
                messages.Add(e.Message);
            }

            // One err field: a template's own err={Error} gets the exception's messages it does not already hold
            // (a second "err" key would be invalid JSON to many readers and ambiguous in logfmt).
            var own = pairs.FindIndex(p => p.Key == "err");
            if (own < 0)
            {
                pairs.Add(new("err", string.Join(": ", messages)));
            }
            else if (messages.Where(m => !pairs[own].Value.Contains(m, StringComparison.Ordinal)).ToList() is { Count: > 0 } missing)
            {
                pairs[own] = new("err", pairs[own].Value + ": " + string.Join(": ", missing));
            }
        }

        // Before encoding: escaping could otherwise split a secret that holds a quote or backslash.
        ProtectCurrent();
        if (!_scrubber.IsEmpty)
        {
            pairs = pairs.Select(p => new KeyValuePair<string, string>(p.Key, Scrub(p.Value))).ToList();
        }

        var line = format == LogFormat.Json ? ToJson(pairs) : ToLogfmt(pairs);
        lock (_writeLock)
        {
            output.Write(line);
            output.Write('\n');
            output.Flush();
        }
    }

    private static string ToLogfmt(List<KeyValuePair<string, string>> pairs)
    {
        var sb = new StringBuilder(128);
        foreach (var (key, value) in pairs)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(key).Append('=');
            var needsQuotes = value.Length == 0 || value.Any(c => c is ' ' or '"' or '=' or '\\' || char.IsControl(c));
            if (!needsQuotes)
            {
                sb.Append(value);
                continue;
            }

            sb.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (char.IsControl(c))
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            sb.Append('"');
        }

        return sb.ToString();
    }

    private static string ToJson(List<KeyValuePair<string, string>> pairs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed class StructuredLogger(StructuredLoggerProvider owner, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var fields = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            owner.Write(logLevel, name, formatter(state, null), fields, exception);
        }
    }

    private readonly LogLevel _minimum = minimum;

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*([A-Za-z_][A-Za-z0-9_.]*)=\{([A-Za-z0-9_]+)(?:[,:][^}]*)?\}")]
    private static partial System.Text.RegularExpressions.Regex KeyedHole();
}
