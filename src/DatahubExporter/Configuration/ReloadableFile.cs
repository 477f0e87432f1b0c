using System.Text;

namespace DatahubExporter.Configuration;

/// <summary>
/// A file the exporter re-reads while it runs, and the one set of rules the INI file (<see cref="ConfigHolder"/>)
/// and the web config (<see cref="WebConfig.WebConfigWatcher"/>) both follow:
/// <list type="bullet">
/// <item>SIGHUP (<see cref="ReloadNow"/>) re-reads it at once, changed or not.</item>
/// <item>Every <see cref="CheckInterval"/> (<see cref="ReloadPoller"/>, <see cref="ReloadIfChanged"/>) it is re-read
/// when the content of the file, or of a file it names, differs from the last attempt (a hash of the content,
/// not the mtime, so a same-size edit within one timestamp tick is still seen).</item>
/// <item>A version that does not load is refused, whatever the load throws except <see cref="OutOfMemoryException"/>:
/// the previous one stays in force and <see cref="LastReloadSuccessful"/> is false until one loads. The reason is a
/// <see cref="FileProblemException"/>'s message as it is, else <c>"{path}: cannot be loaded: {type}: {message}"</c>.</item>
/// <item>Each attempt is logged here, once (so once per change, and once per SIGHUP), through its
/// <see cref="ReloadLog{T}"/>; nothing else logs or relays the outcome. What a new version needs done (stop what the
/// old one started, ...) is the one <c>onReplaced</c> hook given at construction, run after the line is logged.</item>
/// </list>
/// Thread-safe: one reload at a time; <see cref="Current"/> never waits. A reload runs on the caller's thread (the
/// poll's timer, the SIGHUP handler), so neither a load nor the hook may wait on the network.
/// </summary>
internal sealed class ReloadableFile<T>
    where T : class
{
    /// <summary>How often <see cref="ReloadPoller"/> looks at the files.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly Func<T, IEnumerable<string>> _files;
    private readonly Func<T, T> _load;
    private readonly ReloadLog<T> _log;
    private readonly string _replacedTemplate;
    private readonly string _refusedTemplate;
    private readonly Action<T, T>? _onReplaced;
    private readonly TimeProvider _time;
    private readonly Lock _reloading = new();
    private T _current;
    private ulong _fingerprint;
    private volatile string? _failure;

    /// <param name="initial">The version loaded at start.</param>
    /// <param name="path">The file, as a refusal names it.</param>
    /// <param name="files">The files a version was read from (the file itself first); their content is the fingerprint.</param>
    /// <param name="load">Reads the next version, given the one in force; throws to refuse it (see the class summary).</param>
    /// <param name="log">Where and how each attempt is logged.</param>
    /// <param name="onReplaced">Runs once a new version is in force, with the previous one and the new one; null
    /// when nothing needs doing.</param>
    public ReloadableFile(T initial, string path, Func<T, IEnumerable<string>> files, Func<T, T> load, ReloadLog<T> log, TimeProvider time,
        Action<T, T>? onReplaced = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        _current = initial;
        _path = path;
        _files = files;
        _load = load;
        _log = log;
        // The names are the exporter's own words, written once: the holes stay the template's only braces.
        _replacedTemplate = $"{log.Name} reloaded {log.Fields}";
        _refusedTemplate = $"{log.Name} reload failed, keeping the previous {log.Name} err={{Error}}";
        _onReplaced = onReplaced;
        _time = time;
        _fingerprint = Fingerprint(files(initial));
        LastSuccessfulLoad = time.GetUtcNow();
    }

    public T Current => Volatile.Read(ref _current);

    /// <summary>False after a refused version, until one loads.</summary>
    public bool LastReloadSuccessful => _failure is null;

    /// <summary>When the version in force was loaded.</summary>
    public DateTimeOffset LastSuccessfulLoad { get; private set; }

    /// <summary>Re-reads now, changed or not (SIGHUP), after any reload already running. Returns null when the new
    /// version is in force, else the one-line reason it was refused.</summary>
    public string? ReloadNow()
    {
        lock (_reloading)
        {
            Load(Fingerprint(_files(_current)));
            return _failure;
        }
    }

    /// <summary>Re-reads when the files changed since the last attempt. Returns true when a new version was taken;
    /// false at once when another thread is reloading.</summary>
    public bool ReloadIfChanged()
    {
        if (!_reloading.TryEnter())
        {
            return false;
        }

        try
        {
            var now = Fingerprint(_files(_current));
            return now != _fingerprint && Load(now);
        }
        finally
        {
            _reloading.Exit();
        }
    }

    private bool Load(ulong fingerprint)
    {
        // The fingerprint taken before the load: a file changed during the load triggers one more reload
        // instead of being taken for already seen.
        _fingerprint = fingerprint;
        var previous = _current;
        T next;
        try
        {
            next = _load(previous);
        }
        // Whatever a load throws, a bad new file must never take the process down (the poll runs on a timer) nor fail
        // requests: it is a refused reload. Only running out of memory goes through.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var reason = e is FileProblemException ? e.Message : $"{_path}: cannot be loaded: {e.GetType().Name}: {e.Message}";
            _failure = reason;
            _log.Logger.LogError(_refusedTemplate, reason);
            return false;
        }

        Volatile.Write(ref _current, next);
        _failure = null;
        LastSuccessfulLoad = _time.GetUtcNow();
        _log.Logger.LogInformation(_replacedTemplate, _log.Values(next));
        _onReplaced?.Invoke(previous, next);
        return true;
    }

    /// <summary>
    /// A 64-bit FNV-1a hash over each file's name, kind and content. Change detection, not security (whoever can
    /// write these files controls the exporter anyway), so no cryptographic hash: SHA-256 here, once a second,
    /// loaded OpenSSL at start-up, 3.4 MiB of the native binary's idle RSS that only the first API call needs.
    /// </summary>
    private static ulong Fingerprint(IEnumerable<string> files)
    {
        var hash = new Fnv1a64();
        Span<byte> buffer = stackalloc byte[4096];
        foreach (var file in files)
        {
            hash.Append(Encoding.UTF8.GetBytes(file + "\n"));
            if (RegularFile.NotRegular(file) is { } what)
            {
                // Never opened: a FIFO would block this check, and every later one, for ever. Loading reports it.
                hash.Append(Encoding.UTF8.GetBytes("not regular: " + what));
                continue;
            }

            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                hash.Append("content:"u8);
                for (int read; (read = stream.Read(buffer)) > 0;)
                {
                    hash.Append(buffer[..read]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A missing or unreadable file is a state of its own; loading will report it.
                hash.Append("missing"u8);
            }
        }

        return hash.Value;
    }
}

/// <summary>Checks every <see cref="ReloadableFile{T}.CheckInterval"/> whether the INI file or the web config
/// changed, while the exporter serves. Disposing stops it.</summary>
internal sealed class ReloadPoller : IDisposable
{
    private readonly ITimer _timer;

    public ReloadPoller(TimeProvider time, params Func<bool>[] checks)
    {
        var interval = ReloadableFile<object>.CheckInterval;
        // A check that outlasts the interval is not run twice: ReloadIfChanged returns at once while one runs.
        _timer = time.CreateTimer(_ =>
        {
            foreach (var check in checks)
            {
                check();
            }
        }, null, interval, interval);
    }

    public void Dispose() => _timer.Dispose();
}
