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

    /// <summary>A credentials file is a few lines; anything bigger is the wrong file.</summary>
    private const long MaxFileBytes = 1024 * 1024;

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
            : CommonSection.ParseRegions(envRegionText, problem => new ConfigException($"environment variable {RegionVariable}: {problem}"));

        var file = ReadFile(path, envRegions is not null);

        // Without the file, ReadFile has already made sure the environment supplies the region.
        string MissingKey(string key, string variable) => file is { HasCommon: true }
            ? $"{path}: missing key \"{key}\" in [common] (or set {variable})"
            : $"{path}: missing section [common]";

        var accounts = file?.Accounts ?? [];
        if (envRegions is null && file?.Regions is null && accounts.Count == 0)
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
        // Resolved once and shared by every account that inherits it, and only when one does: accounts that all
        // bring their own keys must not send [common]'s chain looking for a CVM role that is not there.
        CredentialProvider? common = null;
        CredentialProvider Common() => common ??= chain.Resolve(settings, getEnvironmentVariable);

        ExporterConfig FromSection(CommonSection? section, CredentialProvider credentials, IReadOnlyList<string> regions) => new()
        {
            Credentials = credentials,
            Regions = regions,
            Endpoint = section?.Endpoint,
            TaskFilter = section?.Filter("task_name_include", "task_name_exclude") ?? NameFilter.All,
            ResourceFilter = section?.Filter("resource_name_include", "resource_name_exclude") ?? NameFilter.All,
            TaskLagGroup = new TaskLagGroup(section?.Get("task_lag_group") ?? TaskLagGroup.DefaultPattern),
            SourcePath = path,
        };

        if (accounts.Count == 0)
        {
            return FromSection(file, Common(), envRegions ?? file!.Regions!);
        }

        var sections = new List<ExporterConfig>(accounts.Count);
        foreach (var account in accounts)
        {
            var merged = account.Over(file!);
            var regions = account.Regions ?? envRegions ?? file!.Regions
                ?? throw new ConfigException($"{path}: missing key \"region\" in [{account.Name}] (or in [common], or set {RegionVariable})");
            var own = account.HasOwnCredentials ? OwnCredentials(path, merged, chain, getEnvironmentVariable) : null;
            var signer = own ?? Common();
            var roleArn = merged.Get("role_arn");
            var credentials = roleArn is null ? signer : chain.AssumeRole(signer, new AssumeRoleSettings(account.Account!, roleArn,
                merged.Get("external_id"), merged.Get("role_session_name"),
                merged.Get("role_duration_seconds") is { } d ? int.Parse(d, System.Globalization.CultureInfo.InvariantCulture) : null, regions[0]),
                getEnvironmentVariable);
            sections.Add(FromSection(merged, credentials, regions) with
            {
                Account = account.Account,
                RoleArn = roleArn,
                RoleBase = roleArn is null ? null : signer,
                BudgetIdentity = roleArn ?? (own is null ? pair?.SecretId : merged.Get("secret_id")),
            });
        }

        return FromSection(file, common ?? sections[0].Credentials, envRegions ?? file!.Regions ?? []) with { AccountSections = sections };
    }

    /// <summary>An account's own key pair or source (the environment's keys are [common]'s alone).</summary>
    private static CredentialProvider OwnCredentials(string path, CommonSection merged, CredentialChain chain, Func<string, string?> getEnvironmentVariable)
    {
        var id = merged.Get("secret_id");
        var key = merged.Get("secret_key");
        var token = merged.Get("token");
        if (id is null != key is null || (token is not null && id is null))
        {
            throw new ConfigException(token is not null && id is null && key is null
                ? $"{path}: key \"token\" in [{merged.Name}] needs secret_id and secret_key"
                : $"{path}: missing key \"{(id is null ? "secret_id" : "secret_key")}\" in [{merged.Name}]");
        }

        var pair = id is null ? null : new Credentials(id, key!, token);
        try
        {
            return chain.Resolve(new CredentialSettings(merged.Get("credential_source") ?? CredentialSourceNames.Auto, pair, "file", merged.Get("role_name")),
                getEnvironmentVariable);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{path}: [{merged.Name}]: {e.Message}");
        }
    }

    /// <summary>Problems worth a log line that do not stop loading: today, a file that holds <c>secret_key</c>
    /// and that users other than the exporter's can read. Empty when the file is absent or on Windows.</summary>
    public static IReadOnlyList<string> Warnings(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path) || RegularFile.NotRegular(path) is not null || !HoldsSecretKey(path))
        {
            return [];
        }

        return PermissionWarning(path, File.GetUnixFileMode(path), RegularFile.GroupId(path), RegularFile.ProcessGroupIds()) is { } warning ? [warning] : [];
    }

    /// <summary>
    /// Readable by every user is always worth a warning. Readable by the file's group only when that group is not
    /// one of the exporter's: the systemd recipe installs the file <c>0640 root:datahub_exporter</c> so that the
    /// service can read, but not change, its keys. A group that cannot be compared counts as someone else's.
    /// </summary>
    internal static string? PermissionWarning(string path, UnixFileMode mode, uint? fileGroup, IReadOnlyCollection<uint>? processGroups)
    {
        var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
        if ((mode & UnixFileMode.OtherRead) != 0)
        {
            return $"{path}: readable by every user (mode {octal}) although it holds secret_key; chmod o-r it";
        }

        if ((mode & UnixFileMode.GroupRead) == 0 || (fileGroup is { } group && processGroups is not null && processGroups.Contains(group)))
        {
            return null;
        }

        var which = fileGroup is { } gid ? $"group {gid}, not one of the exporter's" : "its group";
        return $"{path}: readable by {which} (mode {octal}) although it holds secret_key; chmod 600 it or chgrp it to the exporter's group";
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
    private static CommonSection? ReadFile(string path, bool environmentSuffices)
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

            // The region is the one thing the environment must give: keys may come from a profile or a role.
            throw new ConfigException($"{path}: file not found (or set {RegionVariable}, with {SecretIdVariable} and {SecretKeyVariable} " +
                                      "unless a credentials profile, TKE OIDC or the CVM role supplies the keys)");
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

    private static CommonSection Parse(string path, string text)
    {
        var file = new CommonSection();
        var parser = new StrictIniParser((section, key, rawValue) =>
        {
            if (section == "common")
            {
                file.Accept(key, rawValue);
                return;
            }

            file.Accounts[^1].Accept(key, rawValue);
        }, accountSections: true, section =>
        {
            if (section != "common")
            {
                file.Accounts.Add(new CommonSection(section));
            }
        });
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
}
