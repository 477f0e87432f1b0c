namespace DatahubExporter.Configuration;

/// <summary>What the INI file's <see cref="ConfigHolder"/> and the web config's
/// <see cref="WebConfig.WebConfigWatcher"/> share: the version in force, read from a <see cref="ReloadableFile{T}"/>,
/// or a fixed one when there is no file to re-read. It only reads the file's state: the file logs its own reloads.
/// Thread-safe.</summary>
internal abstract class ReloadableHolder<T>
    where T : class
{
    private readonly T _fixed;
    private readonly DateTimeOffset _started;

    /// <param name="file">Null when there is nothing to re-read (<c>--demo</c>, no <c>--web.config.file</c>).</param>
    protected ReloadableHolder(T initial, ReloadableFile<T>? file, TimeProvider time)
    {
        _fixed = initial;
        _started = time.GetUtcNow();
        File = file;
    }

    /// <summary>The version in force.</summary>
    public T Current => File?.Current ?? _fixed;

    /// <summary>False when there is no file to re-read.</summary>
    public bool CanReload => File is not null;

    /// <summary>False while a new version is refused and the previous one is still in force; true otherwise, and
    /// always without a file.</summary>
    public bool LastReloadSuccessful => File?.LastReloadSuccessful ?? true;

    /// <summary>When the version in force was loaded.</summary>
    public DateTimeOffset LastSuccessfulLoad => File?.LastSuccessfulLoad ?? _started;

    private ReloadableFile<T>? File { get; }

    /// <summary>Re-reads now, changed or not (SIGHUP), after any reload already running. Returns null when the new
    /// version is in force, else the one-line reason it was refused.</summary>
    public string? Reload() => File?.ReloadNow();

    /// <summary>Re-reads when the files changed since the last attempt. Returns true when a new version was taken;
    /// false at once if another thread is already reloading.</summary>
    public bool ReloadIfChanged() => File?.ReloadIfChanged() ?? false;
}
