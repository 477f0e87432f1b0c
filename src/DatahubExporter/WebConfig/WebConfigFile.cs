namespace DatahubExporter.WebConfig;

/// <summary>A validated exporter-toolkit web configuration (<c>--web.config.file</c>): optional TLS, optional
/// extra response headers, optional bcrypt basic-auth users. Immutable and safe to share between threads;
/// <see cref="WebConfigWatcher"/> swaps whole instances when the file changes.</summary>
/// <remarks>Format: exporter-toolkit <c>docs/web-configuration.md</c>. Supported: <c>tls_server_config</c>
/// (<c>cert</c>/<c>cert_file</c>, <c>key</c>/<c>key_file</c>, <c>client_ca</c>/<c>client_ca_file</c>,
/// <c>client_auth_type</c>, <c>min_version</c>, <c>max_version</c>, and <c>prefer_server_cipher_suites</c>,
/// which is accepted and ignored as Go itself has ignored it since 1.18), <c>http_server_config</c>
/// (<c>http2</c>, <c>headers</c>) and <c>basic_auth_users</c>. Recognised but unsupported keys
/// (<c>cipher_suites</c>, <c>curve_preferences</c>, <c>client_allowed_sans</c>, <c>rate_limit</c>) and unknown
/// keys are errors that name the key, so that a setting is never silently dropped. Stricter than Go in one
/// place: a non-empty <c>tls_server_config</c> without a certificate is an error rather than plain HTTP.</remarks>
internal sealed class WebConfigFile
{
    /// <summary>The configuration used when no <c>--web.config.file</c> is given: plain HTTP, no auth.</summary>
    public static WebConfigFile Empty { get; } = new();

    /// <summary>Absolute path of the file this was read from; null for <see cref="Empty"/>.</summary>
    public string? Path { get; init; }

    /// <summary>TLS settings; null means plain HTTP.</summary>
    public WebTlsConfig? Tls { get; init; }

    /// <summary><c>http_server_config.http2</c> (default true). Only read when the listener is set up, as in
    /// exporter-toolkit: changing it needs a restart.</summary>
    public bool Http2 { get; init; } = true;

    /// <summary>Extra response headers from <c>http_server_config.headers</c>, already validated against the
    /// fixed set exporter-toolkit allows. Empty values are left out.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>User name to bcrypt hash. Empty means no basic auth. The hashes are secrets: never log them.</summary>
    public IReadOnlyDictionary<string, string> BasicAuthUsers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A bcrypt hash of a random password with the highest cost among <see cref="BasicAuthUsers"/>,
    /// checked for unknown user names so that they take as long as known ones. Null when there are no users.</summary>
    internal string? UnknownUserHash { get; init; }

    /// <summary>Reads and validates the file. Relative paths inside it are relative to the file's directory.
    /// Loads the certificates and keys so that a broken pair is reported now, not at the first handshake.</summary>
    /// <exception cref="WebConfigException">Anything wrong, in one line naming the file, line and key.</exception>
    public static WebConfigFile Load(string path) => WebConfigReader.Read(path);

    /// <summary>The files whose content decides this configuration: the web config file itself and the
    /// certificate, key and CA files it names.</summary>
    internal IEnumerable<string> Files =>
        Path is null ? [] : Tls is null ? [Path] : [Path, .. Tls.Files];
}
