namespace DatahubExporter.Configuration;

/// <summary>
/// The configuration in force. Scrapes read <see cref="Current"/> once per collection. The INI file is re-read
/// by the rules of <see cref="ReloadableFile{T}"/>, the same as the web config: on SIGHUP (<see cref="Reload"/>)
/// and when it changed (<see cref="ReloadIfChanged"/>); a new configuration replaces the old one only when it
/// is valid, so a bad edit never stops collection. Thread-safe.
/// </summary>
internal sealed class ConfigHolder
{
    private readonly ExporterConfig _fixed;
    private readonly ReloadableFile<ExporterConfig>? _file;

    /// <param name="load">Reads the file again (throws <see cref="ConfigException"/> to refuse it); null when the
    /// configuration was not read from a file (<c>--demo</c>).</param>
    public ConfigHolder(ExporterConfig initial, Func<ExporterConfig>? load, TimeProvider time)
    {
        _fixed = initial;
        LastSuccessfulLoad = time.GetUtcNow();
        if (load is null)
        {
            return;
        }

        _file = new ReloadableFile<ExporterConfig>(initial, static c => [c.SourcePath], _ => load(),
            static e => e is ConfigException ? e.Message : null, time);
        _file.Replaced += (previous, next) =>
        {
            if (!ReferenceEquals(previous.Credentials, next.Credentials))
            {
                // Stops the old provider's refresh timer; scrapes still holding it keep reading its keys.
                previous.Credentials.Dispose();
            }

            Reloaded?.Invoke(next);
        };
        _file.Refused += reason => Refused?.Invoke(reason);
    }

    /// <summary>A new configuration is in force (after SIGHUP or a change of the file).</summary>
    public event Action<ExporterConfig>? Reloaded;

    /// <summary>A new version of the file was refused (the one-line reason); the previous configuration stays.</summary>
    public event Action<string>? Refused;

    public ExporterConfig Current => _file?.Current ?? _fixed;

    /// <summary>False when the configuration was not read from a file (<c>--demo</c>): there is nothing to re-read.</summary>
    public bool CanReload => _file is not null;

    /// <summary>False after a reload that failed, until one succeeds.</summary>
    public bool LastReloadSuccessful => _file?.LastReloadSuccessful ?? true;

    /// <summary>When the configuration in force was last (re)loaded successfully.</summary>
    public DateTimeOffset LastSuccessfulLoad
    {
        get => _file?.LastSuccessfulLoad ?? field;
        private init;
    }

    /// <summary>Re-reads the configuration now (SIGHUP). Returns null on success, else the one-line error (the old config stays).</summary>
    public string? Reload() => _file?.ReloadNow();

    /// <summary>Re-reads the configuration when the file changed since the last attempt; true when a new one was taken.</summary>
    public bool ReloadIfChanged() => _file?.ReloadIfChanged() ?? false;
}
