using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// Picks the credential source (exporter.md "Credential chain"): a key pair from the config file or the
/// environment, else the profile file, else TKE OIDC when <c>TKE_*</c> is set, else the CVM instance role;
/// <c>credential_source</c> pins one. OIDC comes before the CVM role because in a TKE pod the node's
/// metadata service answers too, with the node's role (tencent-cloud-api.md §6).
/// </summary>
/// <remarks>
/// <see cref="Resolve"/> looks only at the settings, variables and files: no network. The role sources are
/// asked when their provider starts. One chain per process holds the HTTP clients and the refresh counters,
/// which outlive the providers a SIGHUP replaces. Thread-safe.
/// </remarks>
internal sealed class CredentialChain(HttpClient metadataHttp, HttpClient stsHttp, TimeProvider time, ILogger log, CredentialMetrics metrics)
{
    public const string ProfileFileVariable = "TENCENTCLOUD_CREDENTIALS_FILE";
    public const string MetadataUrlVariable = "DATAHUB_EXPORTER_METADATA_URL";
    public const string StsEndpointVariable = "DATAHUB_EXPORTER_STS_ENDPOINT";
    public static readonly string[] TkeVariables = ["TKE_REGION", "TKE_PROVIDER_ID", "TKE_WEB_IDENTITY_TOKEN_FILE", "TKE_ROLE_ARN"];

    public CredentialMetrics Metrics => metrics;

    /// <summary>The last profile location (Python's and Java's); a property so tests can point it elsewhere.</summary>
    public string SystemProfilePath { get; init; } = "/etc/tencentcloud/credentials";

    /// <summary>
    /// Metadata and STS get their own clients: the metadata service is link-local and must never go through an
    /// HTTP proxy, while STS may have to. Connect timeouts are short; each call adds its own overall timeout.
    /// </summary>
    public static HttpClient CreateHttpClient(bool useProxy) =>
        new(new SocketsHttpHandler
        {
            UseProxy = useProxy,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>The provider for <paramref name="settings"/>, not started. Throws <see cref="ConfigException"/>
    /// when a source is half configured or a pinned source is absent.</summary>
    public CredentialProvider Resolve(CredentialSettings settings, Func<string, string?> getEnvironmentVariable)
    {
        string? Env(string name) => getEnvironmentVariable(name)?.Trim() is { Length: > 0 } value ? value : null;
        var pinned = settings.Source;
        var tried = new List<string>();

        if (pinned is CredentialSourceNames.Auto or CredentialSourceNames.Static)
        {
            if (settings.KeyPair is { } pair)
            {
                return new StaticCredentialProvider(pair, CredentialSourceNames.Static, $"keys={settings.KeyPairOrigin}");
            }

            if (pinned == CredentialSourceNames.Static)
            {
                throw new ConfigException("credential_source = static needs secret_id and secret_key in [common] (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)");
            }

            tried.Add("key pair ([common] secret_id/secret_key, TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY): not set");
        }

        if (pinned is CredentialSourceNames.Auto or CredentialSourceNames.Profile)
        {
            var candidates = ProfileCandidates(Env);
            if (candidates.FirstOrDefault(File.Exists) is { } found)
            {
                return new StaticCredentialProvider(ProfileFile.Read(found), CredentialSourceNames.Profile, $"file={found}");
            }

            if (Env(ProfileFileVariable) is { } custom)
            {
                // A path set on purpose that does not exist is a mistake, not a reason to look elsewhere.
                throw new ConfigException($"environment variable {ProfileFileVariable}: {custom}: file not found");
            }

            if (pinned == CredentialSourceNames.Profile)
            {
                throw new ConfigException($"credential_source = profile but no profile file exists (looked for {string.Join(", ", candidates)})");
            }

            tried.Add($"profile file ({string.Join(", ", candidates)}): not found");
        }

        if (pinned is CredentialSourceNames.Auto or CredentialSourceNames.Oidc)
        {
            var values = TkeVariables.Select(Env).ToArray();
            // TKE_REGION alone is no request for OIDC: clusters set it for other tools too.
            var requested = values.Skip(1).Any(v => v is not null) || pinned == CredentialSourceNames.Oidc;
            if (requested)
            {
                var missing = TkeVariables.Where((_, i) => values[i] is null).ToList();
                if (missing.Count > 0)
                {
                    throw new ConfigException($"TKE OIDC needs {string.Join(", ", TkeVariables)}: {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set");
                }

                var sts = ParseUrl(Env(StsEndpointVariable) ?? OidcFetcher.DefaultStsHost, StsEndpointVariable);
                return Refreshing(new OidcFetcher(stsHttp, sts, values[0]!, values[1]!, values[2]!, values[3]!, time), tried);
            }

            tried.Add($"TKE OIDC ({string.Join(", ", TkeVariables)}): not set");
        }

        var metadata = ParseUrl(Env(MetadataUrlVariable) ?? CvmRoleFetcher.DefaultMetadataUrl, MetadataUrlVariable);
        return Refreshing(new CvmRoleFetcher(metadataHttp, metadata, settings.RoleName, time), tried);
    }

    /// <summary>An account's <c>role_arn</c>: the role's keys, fetched with <paramref name="baseCredentials"/> and refreshed
    /// in the background like every temporary key. Not started; the base is started separately (it may be shared).</summary>
    public CredentialProvider AssumeRole(CredentialProvider baseCredentials, AssumeRoleSettings settings, Func<string, string?> getEnvironmentVariable)
    {
        var value = getEnvironmentVariable(StsEndpointVariable)?.Trim();
        var sts = ParseUrl(value is { Length: > 0 } ? value : OidcFetcher.DefaultStsHost, StsEndpointVariable);
        return new RefreshingCredentialProvider(new AssumeRoleFetcher(stsHttp, sts, baseCredentials, settings, time), time, log, metrics, null);
    }

    private RefreshingCredentialProvider Refreshing(ITemporaryCredentialFetcher fetcher, List<string> tried) =>
        new(fetcher, time, log, metrics, tried.Count > 0 ? string.Join("; ", tried) : null);

    private List<string> ProfileCandidates(Func<string, string?> env)
    {
        if (env(ProfileFileVariable) is { } custom)
        {
            return [custom];
        }

        var home = env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0
            ? [Path.Combine(home, ".tencentcloud", "credentials"), SystemProfilePath]
            : [SystemProfilePath];
    }

    /// <summary>A host (https) or a full http(s) URL, as for the <c>endpoint</c> key; the path is ignored.</summary>
    private static Uri ParseUrl(string text, string variable)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
            || uri.UserInfo.Length > 0)
        {
            throw new ConfigException($"environment variable {variable}: \"{SourceHttp.Clean(text)}\" is not a host name or an http(s) URL");
        }

        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }
}
