namespace DatahubExporter.Configuration;

/// <summary>
/// The configuration in force. Scrapes read <see cref="Current"/> once per collection; <see cref="Reload"/>
/// (SIGHUP) swaps in a new one only when it is valid, so a bad edit never stops collection. Thread-safe.
/// </summary>
internal sealed class ConfigHolder(ExporterConfig initial, Func<ExporterConfig>? load, TimeProvider time)
{
    private ExporterConfig _current = initial;
    private readonly Lock _reloadLock = new();

    public ExporterConfig Current => Volatile.Read(ref _current);

    /// <summary>False when the configuration was not read from a file (<c>--demo</c>): there is nothing to re-read.</summary>
    public bool CanReload => load is not null;

    /// <summary>False after a reload that failed, until one succeeds.</summary>
    public bool LastReloadSuccessful { get; private set; } = true;

    /// <summary>When the configuration in force was last (re)loaded successfully.</summary>
    public DateTimeOffset LastSuccessfulLoad { get; private set; } = time.GetUtcNow();

    /// <summary>Re-reads the configuration. Returns null on success, else the one-line error (the old config stays).</summary>
    public string? Reload()
    {
        if (load is null)
        {
            return null;
        }

        lock (_reloadLock)
        {
            try
            {
                var next = load();
                var previous = Interlocked.Exchange(ref _current, next);
                if (!ReferenceEquals(previous.Credentials, next.Credentials))
                {
                    // Stops the old provider's refresh timer; scrapes still holding it keep reading its keys.
                    previous.Credentials.Dispose();
                }

                LastReloadSuccessful = true;
                LastSuccessfulLoad = time.GetUtcNow();
                return null;
            }
            catch (ConfigException e)
            {
                LastReloadSuccessful = false;
                return e.Message;
            }
        }
    }
}
