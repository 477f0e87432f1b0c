using System.Text;
using System.Text.RegularExpressions;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Configuration;

/// <summary>
/// Reads the INI file of exporter.md "Configuration file" and applies the <c>TENCENTCLOUD_*</c>
/// environment overrides (tencent-cloud-api.md §6). Every failure is a <see cref="ConfigException"/>
/// whose message is one line naming the file (and line, key or variable) and never a secret's value.
/// </summary>
/// <remarks>
/// File rules: UTF-8 (a BOM is skipped), LF or CRLF; one section <c>[common]</c>; keys <c>secret_id</c>,
/// <c>secret_key</c>, <c>region</c>, <c>token</c>, <c>endpoint</c>, <c>credential_source</c>, <c>role_name</c> and
/// the four <c>*_name_include</c>/<c>*_name_exclude</c> filters, each at most once and never empty;
/// <c>;</c> or <c>#</c> at the start of a line, or after whitespace, starts a comment; one pair of
/// matching surrounding quotes (<c>"…"</c> or <c>'…'</c>) is stripped from a value. Non-empty environment
/// variables win over the file; when they supply the region the file may be absent, but a file that exists is
/// always checked in full. Without a key pair the <see cref="CredentialChain"/> finds one (no network here).
/// Stateless and thread-safe.
/// </remarks>
internal static partial class ConfigLoader
{
    public const string SecretIdVariable = "TENCENTCLOUD_SECRET_ID";
    public const string SecretKeyVariable = "TENCENTCLOUD_SECRET_KEY";
    public const string TokenVariable = "TENCENTCLOUD_TOKEN";
    public const string RegionVariable = "TENCENTCLOUD_REGION";

    /// <summary>The longest value an error quotes whole; the longest region id (na-siliconvalley) has 16 characters.</summary>
    private const int MaxEchoedChars = 20;

    private const int MaxEchoedUrlChars = 256;

    /// <summary>A credentials file is a few lines; anything bigger is the wrong file.</summary>
    private const long MaxFileBytes = 1024 * 1024;

    private static readonly string[] KnownKeys =
    [
        "secret_id", "secret_key", "region", "token", "endpoint", "credential_source", "role_name",
        "task_name_include", "task_name_exclude", "resource_name_include", "resource_name_exclude",
    ];

    // Tencent region ids: ap-guangzhou, ap-shanghai-fsi, na-siliconvalley, eu-frankfurt (§6 "Regions").
    private static readonly Regex RegionPattern = new("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant);

    /// <summary>Loads with <see cref="CredentialChain.Default"/>: for callers that only read the configuration.</summary>
    public static ExporterConfig Load(string path, Func<string, string?> getEnvironmentVariable) =>
        Load(path, getEnvironmentVariable, CredentialChain.Default);

    public static ExporterConfig Load(string path, Func<string, string?> getEnvironmentVariable, CredentialChain chain)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        ArgumentNullException.ThrowIfNull(chain);

        string? Env(string name) => getEnvironmentVariable(name)?.Trim() is { Length: > 0 } value ? value : null;
        var envId = Env(SecretIdVariable);
        var envKey = Env(SecretKeyVariable);
        var envToken = Env(TokenVariable);
        var envRegionText = Env(RegionVariable);
        var envRegions = envRegionText is null ? null
            : ParseRegions(envRegionText, problem => new ConfigException($"environment variable {RegionVariable}: {problem}"));

        var file = ReadFile(path, envRegions is not null);

        // Without the file, ReadFile has already made sure the environment supplies the region.
        string MissingKey(string key, string variable) => file is { HasCommon: true }
            ? $"{path}: missing key \"{key}\" in [common] (or set {variable})"
            : $"{path}: missing section [common]";

        if (envRegions is null && file?.Regions is null)
        {
            throw new ConfigException(MissingKey("region", RegionVariable));
        }

        var secretId = envId ?? file?.Get("secret_id");
        var secretKey = envKey ?? file?.Get("secret_key");
        // Half a pair is a mistake; no pair at all sends the chain looking (profile file, TKE OIDC, CVM role).
        if (secretId is null && secretKey is not null)
        {
            throw new ConfigException(MissingKey("secret_id", SecretIdVariable));
        }

        if (secretKey is null && secretId is not null)
        {
            throw new ConfigException(MissingKey("secret_key", SecretKeyVariable));
        }

        // A temporary token only works with its own key pair (§1.2): when the environment supplies the pair,
        // a token left in the file must not be sent with it.
        var token = envToken ?? (envId is not null && envKey is not null ? null : file?.Get("token"));
        if (secretId is null && token is not null)
        {
            throw new ConfigException(envToken is not null
                ? $"environment variable {TokenVariable}: a token needs its key pair ({SecretIdVariable} and {SecretKeyVariable})"
                : $"{path}: key \"token\" in [common] needs secret_id and secret_key");
        }

        var pair = secretId is null ? null : new Credentials(secretId, secretKey!, token);
        var origin = envId is not null && envKey is not null ? "environment" : envId is not null || envKey is not null ? "file+environment" : "file";
        var settings = new CredentialSettings(file?.Get("credential_source") ?? CredentialSourceNames.Auto, pair, origin, file?.Get("role_name"));
        return new ExporterConfig
        {
            Credentials = chain.Resolve(settings, getEnvironmentVariable),
            Regions = envRegions ?? file!.Regions!,
            Endpoint = file?.Endpoint,
            TaskFilter = file?.Filter("task_name_include", "task_name_exclude") ?? NameFilter.All,
            ResourceFilter = file?.Filter("resource_name_include", "resource_name_exclude") ?? NameFilter.All,
            SourcePath = path,
        };
    }

    /// <summary>Problems worth a log line that do not stop loading: today, a file that others can read
    /// although it holds <c>secret_key</c>. Empty when the file is absent or on Windows.</summary>
    public static IReadOnlyList<string> Warnings(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path) || RegularFile.NotRegular(path) is not null || !HoldsSecretKey(path))
        {
            return [];
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0)
        {
            return [];
        }

        var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
        return [$"{path}: readable by group or others (mode {octal}) although it holds secret_key; chmod 600 it"];
    }

    private static bool HoldsSecretKey(string path)
    {
        try
        {
            return File.ReadLines(path).Any(line => line.TrimStart().StartsWith("secret_key", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Load reports an unreadable file; a warning has nothing to add
        }
    }

    /// <summary>The parsed file, or null when it is absent and the environment covers every required key.</summary>
    private static ConfigFile? ReadFile(string path, bool environmentSuffices)
    {
        if (Directory.Exists(path))
        {
            throw new ConfigException($"{path}: is a directory, not a config file");
        }

        // Before any open: a FIFO would block the open (start-up, --config.check, or every later SIGHUP) for ever.
        RegularFile.Require(path, what => new ConfigException($"{path}: is {what}, not a regular file; a config file must be a regular file"));

        if (!File.Exists(path))
        {
            if (environmentSuffices)
            {
                return null;
            }

            // Setting the region alone also works when a role supplies the keys; the message names the common case.
            throw new ConfigException($"{path}: file not found (or set {SecretIdVariable}, {SecretKeyVariable} and {RegionVariable})");
        }

        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > MaxFileBytes)
            {
                throw new ConfigException($"{path}: file too large ({stream.Length} bytes; a config file is at most 1 MiB)");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read file: permission denied");
        }
        catch (IOException e)
        {
            throw new ConfigException($"{path}: cannot read file: {e.Message}");
        }

        return Parse(path, Decode(path, bytes));
    }

    private static string Decode(string path, byte[] bytes)
    {
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            throw new ConfigException($"{path}: not a text file (NUL byte at offset {nul})");
        }

        try
        {
            var text = new UTF8Encoding(false, true).GetString(bytes);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            throw new ConfigException($"{path}: not UTF-8 text (invalid byte at offset {e.Index})");
        }
    }

    private static ConfigFile Parse(string path, string text)
    {
        var file = new ConfigFile();
        var parser = new StrictIniParser((key, rawValue) => file.Accept(key, rawValue));
        try
        {
            parser.Parse(text);
        }
        catch (IniLineException e)
        {
            throw new ConfigException($"{path}:{e.LineNumber}: {e.Message}");
        }

        file.HasCommon = parser.Sections.Contains("common");
        return file;
    }

    private static List<string> ParseRegions(string text, Func<string, Exception> error)
    {
        var regions = new List<string>();
        foreach (var part in text.Split(','))
        {
            var region = part.Trim();
            if (region.Length == 0)
            {
                continue; // a trailing or doubled comma is harmless
            }

            if (!RegionPattern.IsMatch(region))
            {
                throw error($"{Echo(region)} is not a region id such as ap-guangzhou");
            }

            if (!regions.Contains(region))
            {
                regions.Add(region);
            }
        }

        return regions.Count > 0 ? regions : throw error("no region given");
    }

    /// <summary>
    /// A value quoted back in an error, cut to its first four characters when longer than
    /// <paramref name="max"/>: a secret pasted into the wrong key (<c>region = &lt;secret key&gt;</c>) must not be
    /// printed, and no region id or key name is that long. The prefix is as much as the masked SecretId shows.
    /// </summary>
    internal static string Echo(string value, int max = MaxEchoedChars) =>
        value.Length <= max && !SecretLike().IsMatch(value)
            ? $"\"{value}\""
            : $"\"{value[..Math.Min(4, value.Length)]}…\" ({value.Length} characters, cut: it may be a secret)";

    // Keys, ids and tokens are long runs of letters and digits; host names and region ids are cut by dots and dashes.
    [GeneratedRegex("[A-Za-z0-9+/]{16,}", RegexOptions.CultureInvariant)]
    private static partial Regex SecretLike();

    /// <summary>
    /// <c>ckafka.tencentcloudapi.com</c> or <c>host:port</c> means https; a full URL may be http or https
    /// (tests and the simulator use http on loopback). The path must be empty or <c>/</c> because the API
    /// is always called at <c>/</c> (tencent-cloud-api.md §2.1); no query, fragment or user info.
    /// </summary>
    private static Uri ParseEndpoint(string text)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.HostNameType is UriHostNameType.Unknown || uri.Host.Length == 0)
        {
            // Whatever stands before an '@' could be a password: never echoed.
            var at = text.LastIndexOf('@');
            var shownText = at < 0 ? text : (text.Contains("://", StringComparison.Ordinal) ? text[..(text.IndexOf("://", StringComparison.Ordinal) + 3)] : "") + text[(at + 1)..];
            throw new IniProblem($"key \"endpoint\" in [common]: {Echo(shownText, MaxEchoedUrlChars)} is not a host name or an http(s) URL");
        }

        var problem = uri.Scheme is not ("http" or "https") ? $"scheme \"{uri.Scheme}\" is not http or https"
            : uri.UserInfo.Length > 0 || withScheme.Contains('@') ? "user info is not allowed"
            : uri.AbsolutePath != "/" ? $"path \"{uri.AbsolutePath}\" is not allowed (the API lives at /)"
            : uri.Query.Length > 0 || withScheme.Contains('?') ? "a query is not allowed"
            : uri.Fragment.Length > 0 || withScheme.Contains('#') ? "a fragment is not allowed"
            : null;
        if (problem is not null)
        {
            // The user info is cut from the echo: it could be a password.
            var shown = uri.UserInfo.Length > 0 ? text.Replace(uri.UserInfo + "@", "", StringComparison.Ordinal) : text;
            throw new IniProblem($"key \"endpoint\" in [common]: {Echo(shown, MaxEchoedUrlChars)}: {problem}");
        }

        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }

    /// <summary>Values of <c>[common]</c>, checked as each line is read so that errors carry its number.</summary>
    private sealed class ConfigFile
    {
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

        public bool HasCommon { get; set; }

        public List<string>? Regions { get; private set; }

        public Uri? Endpoint { get; private set; }

        public string? Get(string key) => values.GetValueOrDefault(key);

        public void Accept(string key, string rawValue)
        {
            if (!KnownKeys.Contains(key))
            {
                throw new IniProblem($"unknown key {Echo(key)} in [common] (known: {string.Join(", ", KnownKeys)})");
            }

            var value = Unquote(rawValue);
            if (value.Length == 0)
            {
                throw new IniProblem($"key \"{key}\" in [common] has an empty value");
            }

            if (key == "region")
            {
                Regions = ParseRegions(value, problem => new IniProblem($"key \"region\" in [common]: {problem}"));
            }
            else if (key == "endpoint")
            {
                Endpoint = ParseEndpoint(value);
            }
            else if (key == "credential_source" && !CredentialSourceNames.All.Contains(value))
            {
                throw new IniProblem($"key \"credential_source\" in [common]: \"{value}\" is not one of {string.Join(", ", CredentialSourceNames.All)}");
            }
            else if (key == "role_name" && !CvmRoleFetcher.IsRoleName(value))
            {
                throw new IniProblem($"key \"role_name\" in [common]: \"{value}\" is not a CAM role name (letters, digits and +=,.@_- only)");
            }
            else if (key.EndsWith("_include", StringComparison.Ordinal) || key.EndsWith("_exclude", StringComparison.Ordinal))
            {
                CheckPattern(key, value);
            }

            values[key] = value;
        }

        public NameFilter Filter(string includeKey, string excludeKey) => NameFilter.Create(Get(includeKey), Get(excludeKey));

        /// <summary>The pattern as written must parse: checked before anchoring, so the offset in the message is the user's.</summary>
        private static void CheckPattern(string key, string pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (RegexParseException e)
            {
                // .NET's message is "Invalid pattern '…' at offset N. Reason."; only the reason is kept.
                var marker = $"at offset {e.Offset}. ";
                var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
                var reason = at < 0 ? e.Error.ToString() : e.Message[(at + marker.Length)..].TrimEnd('.');
                throw new IniProblem($"key \"{key}\" in [common]: \"{pattern}\" is not a valid regular expression: {reason} at offset {e.Offset}");
            }

            try
            {
                _ = NameFilter.Create(pattern, null);
            }
            catch (ArgumentException)
            {
                // Valid alone but not inside ^(?:…)$: an (?x) comment running to the end swallows the closing parenthesis.
                throw new IniProblem($"key \"{key}\" in [common]: \"{pattern}\" cannot be anchored as ^(?:…)$ (a comment in the pattern runs to its end?)");
            }
        }

        private static string Unquote(string value) =>
            value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;
    }
}
