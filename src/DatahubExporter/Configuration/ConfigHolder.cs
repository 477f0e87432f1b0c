namespace DatahubExporter.Configuration;

/// <summary>
/// The configuration in force. Scrapes read <see cref="ReloadableHolder{T}.Current"/> once per collection. The INI
/// file is re-read by the rules of <see cref="ReloadableFile{T}"/>, the same as the web config: on SIGHUP and when
/// it changed; a new configuration replaces the old one only when it is valid, so a bad edit never stops
/// collection. Thread-safe.
/// </summary>
internal sealed class ConfigHolder : ReloadableHolder<ExporterConfig>
{
    /// <param name="load">Reads the file again (throws <see cref="ConfigException"/> to refuse it); null when the
    /// configuration was not read from a file (<c>--demo</c>).</param>
    public ConfigHolder(ExporterConfig initial, Func<ExporterConfig>? load, TimeProvider time)
        : base(initial, load is null ? null : new ReloadableFile<ExporterConfig>(initial, static c => [c.SourcePath], _ => load(),
            e => Refusal(initial.SourcePath, e), time), time)
    {
        if (File is null)
        {
            return;
        }

        File.Replaced += (previous, next) =>
        {
            var kept = next.CredentialProviders();
            foreach (var old in previous.CredentialProviders().Where(p => !kept.Contains(p)))
            {
                // Stops the old provider's refresh timer; scrapes still holding it keep reading its keys.
                old.Dispose();
            }

            Reloaded?.Invoke(next);
        };
        File.Refused += reason => Refused?.Invoke(reason);
    }

    // Whatever a load throws, a bad new file must never take the process down (the poll runs on a timer): it is a
    // refused reload. Only running out of memory goes through.
    private static string? Refusal(string path, Exception e) =>
        e is ConfigException ? e.Message
        : e is OutOfMemoryException ? null
        : $"{path}: cannot be loaded: {e.GetType().Name}: {e.Message}";

    /// <summary>A new configuration is in force (after SIGHUP or a change of the file).</summary>
    public event Action<ExporterConfig>? Reloaded;

    /// <summary>A new version of the file was refused (the one-line reason); the previous configuration stays.</summary>
    public event Action<string>? Refused;
}
