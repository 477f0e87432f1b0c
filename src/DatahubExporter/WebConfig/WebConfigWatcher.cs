using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace DatahubExporter.WebConfig;

/// <summary>Holds the current <see cref="WebConfigFile"/> and re-reads the file when it, or a certificate, key
/// or CA file it names, changes — the way exporter-toolkit re-reads its web config on every request.</summary>
/// <remarks>
/// <para>Checking happens inside <see cref="Current"/>, at most once per <see cref="CheckInterval"/>: the
/// files are hashed with SHA-256 (content, not mtime, so a same-size edit within one timestamp tick is still
/// seen). Only one caller checks at a time; the others get the config as it is, without waiting.</para>
/// <para>A new file that does not load (bad YAML, half-written certificate, ...) is logged as an error
/// and the previous config stays in force; it is retried at every check and the same error is not logged
/// again until the files change. A reload
/// may not switch TLS on or off, since the listener was set up for one or the other, nor drop the last
/// <c>basic_auth_users</c> entry (fail closed: an emptied file must not open the exporter): both are refused
/// the same way. A change of <c>http2</c> is applied only at the next start (logged as a warning).</para>
/// <para>Thread-safe. <see cref="Current"/> returns an immutable snapshot; callers should read it once per
/// request or connection and use that snapshot throughout.</para>
/// </remarks>
internal sealed class WebConfigWatcher
{
    /// <summary>Basic-auth refusals of the server this config protects, for <c>/metrics</c>.</summary>
    public BasicAuthFailures AuthFailures { get; } = new();

    /// <summary>How often <see cref="Current"/> looks at the files at most.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _checking = new();
    private readonly bool _tlsAtStart;
    private readonly bool _http2AtStart;
    private volatile WebConfigFile _current;
    private byte[] _fingerprint;
    private long _nextCheck;
    private string? _failure;

    /// <summary>Starts from an already loaded <paramref name="initial"/> config. With
    /// <see cref="WebConfigFile.Empty"/> (no <c>--web.config.file</c>) nothing is ever re-read.</summary>
    public WebConfigWatcher(WebConfigFile initial, ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logger);
        _current = initial;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _tlsAtStart = initial.Tls is not null;
        _http2AtStart = initial.Http2;
        _fingerprint = Fingerprint(initial.Files);
        LastSuccessfulLoad = _time.GetUtcNow();
        _nextCheck = _time.GetTimestamp() + IntervalTicks;
    }

    /// <summary>Loads <paramref name="path"/> (or uses <see cref="WebConfigFile.Empty"/> when it is null) and
    /// watches it.</summary>
    /// <exception cref="WebConfigException">The file is bad at startup.</exception>
    public static WebConfigWatcher Load(string? path, ILogger logger) =>
        new(path is null ? WebConfigFile.Empty : WebConfigFile.Load(path), logger);

    /// <summary>The config in force, re-read first if the check interval has passed and the files changed.</summary>
    public WebConfigFile Current
    {
        get
        {
            if (_current.Path is not null && _time.GetTimestamp() >= Volatile.Read(ref _nextCheck))
            {
                ReloadIfChanged();
            }

            return _current;
        }
    }

    /// <summary>False while the file on disk is refused (bad, or it would switch TLS or basic auth off) and the
    /// previous config is still in force; true otherwise, and always without a web config file.</summary>
    public bool LastReloadSuccessful => _failure is null;

    /// <summary>When the config in force was loaded.</summary>
    public DateTimeOffset LastSuccessfulLoad { get; private set; }

    /// <summary>Checks the files now, regardless of <see cref="CheckInterval"/> (SIGHUP). Returns null when the
    /// config in force matches the files (reloaded or unchanged), else the one-line reason it was refused. Waits
    /// for a check already running on another thread.</summary>
    public string? Reload()
    {
        if (_current.Path is null)
        {
            return null;
        }

        lock (_checking)
        {
            ReloadIfChanged();
        }

        return _failure;
    }

    private long IntervalTicks => (long)(CheckInterval.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Checks the files now, regardless of the interval. Returns true when a new config was taken.
    /// Returns false at once if another thread is already checking.</summary>
    internal bool ReloadIfChanged()
    {
        var path = _current.Path;
        if (path is null || !_checking.TryEnter())
        {
            return false;
        }

        try
        {
            Volatile.Write(ref _nextCheck, _time.GetTimestamp() + IntervalTicks);
            var old = _current;
            var now = Fingerprint(old.Files);
            var changed = !CryptographicOperations.FixedTimeEquals(now, _fingerprint);
            if (!changed && _failure is null)
            {
                return false;
            }

            WebConfigFile next;
            try
            {
                // Whatever exception a load throws, a bad new file must never fail requests: it is a failed reload.
                next = LoadOrThrowWebConfigException(path);
                if ((next.Tls is not null) != _tlsAtStart)
                {
                    throw new WebConfigException(
                        $"web config {path}: tls_server_config: switching TLS {(_tlsAtStart ? "off" : "on")} needs a restart");
                }

                // Fail closed: an emptied or half-saved file must not open the exporter to everyone. Adding users is
                // fine; removing the last one is a deliberate act that takes a restart.
                if (old.BasicAuthUsers.Count > 0 && next.BasicAuthUsers.Count == 0)
                {
                    throw new WebConfigException(
                        $"web config {path}: basic_auth_users: the new file has no users, which would switch basic auth off; that needs a restart");
                }
            }
            catch (WebConfigException e)
            {
                // Keep retrying while broken (a newly named certificate file may appear), but report the
                // same failure only once.
                if (changed || e.Message != _failure)
                {
                    _logger.LogError("web config reload failed, keeping the previous one: {Error}", e.Message);
                }

                _fingerprint = now;
                _failure = e.Message;
                return false;
            }

            if (next.Http2 != _http2AtStart)
            {
                _logger.LogWarning("web config http_server_config.http2 changed; it applies after a restart");
            }

            // The fingerprint taken before the load: a file changed during the load triggers one more reload
            // instead of being taken for already seen.
            _fingerprint = now;
            _failure = null;
            _current = next;
            LastSuccessfulLoad = _time.GetUtcNow();
            _logger.LogInformation("web config reloaded from {Path}", path);
            return true;
        }
        finally
        {
            _checking.Exit();
        }
    }

    private static WebConfigFile LoadOrThrowWebConfigException(string path)
    {
        try
        {
            return WebConfigFile.Load(path);
        }
        catch (Exception e) when (e is not WebConfigException and not OutOfMemoryException)
        {
            throw new WebConfigException($"web config {path}: cannot be loaded: {e.GetType().Name}: {e.Message}");
        }
    }

    private static byte[] Fingerprint(IEnumerable<string> files)
    {
        if (!files.Any())
        {
            // No web config file, nothing to watch. Hashing nothing here loaded OpenSSL at start-up, before any
            // API call needs it: 3.4 MiB of the native binary's idle RSS (25.2 -> 21.2 MiB, footprint.sh).
            return [];
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\n"));
            if (Configuration.RegularFile.NotRegular(file) is { } what)
            {
                // Never opened: a FIFO would block this check, and every later one, for ever. Loading reports it.
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes("not regular: " + what));
                continue;
            }

            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                sha.AppendData(SHA256.HashData(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A missing or unreadable file is a state of its own; loading will report it.
                sha.AppendData("missing"u8);
            }
        }

        return sha.GetHashAndReset();
    }
}
