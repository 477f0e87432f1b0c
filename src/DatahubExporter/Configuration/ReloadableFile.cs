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
/// <item>A version that does not load is refused: the previous one stays in force, <see cref="LastReloadSuccessful"/>
/// is false until one loads, and the owner is told once per attempt (so once per change).</item>
/// </list>
/// Thread-safe: one reload at a time; <see cref="Current"/> never waits.
/// </summary>
internal sealed class ReloadableFile<T>
    where T : class
{
    /// <summary>How often <see cref="ReloadPoller"/> looks at the files.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Func<T, IEnumerable<string>> _files;
    private readonly Func<T, T> _load;
    private readonly Func<Exception, string?> _refusal;
    private readonly TimeProvider _time;
    private readonly Lock _reloading = new();
    private T _current;
    private ulong _fingerprint;
    private volatile string? _failure;

    /// <param name="initial">The version loaded at start.</param>
    /// <param name="files">The files a version was read from (the file itself first); their content is the fingerprint.</param>
    /// <param name="load">Reads the next version, given the one in force; throws to refuse it.</param>
    /// <param name="refusal">The one-line reason for an exception of <paramref name="load"/> that refuses the
    /// new version, or null for an exception that is a bug (it propagates).</param>
    public ReloadableFile(T initial, Func<T, IEnumerable<string>> files, Func<T, T> load, Func<Exception, string?> refusal, TimeProvider time)
    {
        _current = initial;
        _files = files;
        _load = load;
        _refusal = refusal;
        _time = time;
        _fingerprint = Fingerprint(files(initial));
        LastSuccessfulLoad = time.GetUtcNow();
    }

    /// <summary>A new version is in force (the previous one and the new one).</summary>
    public event Action<T, T>? Replaced;

    /// <summary>A new version was refused (the one-line reason); the previous one stays in force.</summary>
    public event Action<string>? Refused;

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
        catch (Exception e) when (_refusal(e) is { } reason)
        {
            _failure = reason;
            Refused?.Invoke(reason);
            return false;
        }

        Volatile.Write(ref _current, next);
        _failure = null;
        LastSuccessfulLoad = _time.GetUtcNow();
        Replaced?.Invoke(previous, next);
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

    private struct Fnv1a64()
    {
        public ulong Value { get; private set; } = 14695981039346656037UL;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var value = Value;
            foreach (var b in bytes)
            {
                value = (value ^ b) * 1099511628211UL;
            }

            Value = value;
        }
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
