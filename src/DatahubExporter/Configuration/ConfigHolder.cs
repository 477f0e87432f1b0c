namespace DatahubExporter.Configuration;

/// <summary>
/// The configuration in force. Scrapes read <see cref="ReloadableHolder{T}.Current"/> once per collection. The INI
/// file is re-read by the rules of <see cref="ReloadableFile{T}"/>, the same as the web config: on SIGHUP and when
/// it changed; a new configuration replaces the old one only when it is valid, so a bad edit never stops
/// collection. Thread-safe.
/// </summary>
internal sealed class ConfigHolder : ReloadableHolder<ExporterConfig>
{
    /// <summary>A configuration not read from a file (<c>--demo</c>, tests): never re-read.</summary>
    public ConfigHolder(ExporterConfig initial, TimeProvider time)
        : base(initial, null, time)
    {
    }

    /// <summary>A configuration read from <see cref="ExporterConfig.SourcePath"/>, re-read from it.</summary>
    /// <param name="load">Reads the file again; throws (a <see cref="ConfigException"/>) to refuse it. Must not wait on
    /// the network: credential sources are resolved, not asked.</param>
    /// <param name="log">Gets the one line of each attempt: <c>configuration reloaded regions=… credential_source=…</c> or
    /// <c>configuration reload failed, keeping the previous configuration err=…</c>.</param>
    /// <param name="onReplaced">Runs once a new configuration is in force, with the previous one and the new one
    /// (the credential providers are its business: the new ones to start, the old ones to stop).</param>
    public ConfigHolder(ExporterConfig initial, Func<ExporterConfig> load, ILogger log, TimeProvider time, Action<ExporterConfig, ExporterConfig> onReplaced)
        : base(initial, new ReloadableFile<ExporterConfig>(initial, initial.SourcePath, static c => [c.SourcePath], _ => load(),
            new ReloadLog<ExporterConfig>(log, "configuration", "regions={Regions} credential_source={Source}",
                static c => [string.Join(",", c.Regions), c.Credentials.Source]), time, onReplaced), time)
    {
    }
}
