using System.Text.RegularExpressions;
using DatahubExporter.TencentCloud.CredentialSources;

namespace DatahubExporter.Configuration;

/// <summary>Values of <c>[common]</c> or of one <c>[account.NAME]</c>, checked as each line is read so that errors
/// carry its number: which keys exist, what a region list, an endpoint, a credential source, a role name, a name
/// filter and an account's role must look like. Errors are <see cref="IniProblem"/>; <see cref="ConfigLoader"/>
/// adds the file and line. An account section takes every key of <c>[common]</c> (<see cref="Over"/> merges them,
/// so a key added to <c>[common]</c> is overridable per account without more code) plus <see cref="AccountKeys"/>.</summary>
internal sealed class CommonSection(string name = "common")
{
    /// <summary>The keys that say which key pair or role signs; an account setting any of them drops all of [common]'s.</summary>
    private static readonly string[] CredentialKeys = ["secret_id", "secret_key", "token", "credential_source", "role_name"];

    /// <summary>Keys only an account section has: the cross-account role (tencent-cloud-api.md §6 AssumeRole).</summary>
    public static readonly string[] AccountKeys = ["role_arn", "external_id", "role_session_name", "role_duration_seconds"];

    // qcs::cam::uin/<uin>:roleName/<name> or qcs::cam::uin/<uin>:role/<id> (§6 AssumeRole).
    private static readonly Regex RoleArnPattern = new(@"^qcs::cam::uin/[0-9]{1,20}:(roleName/[A-Za-z0-9+=,.@_-]{1,128}|role/[0-9]{1,32})$",
        RegexOptions.CultureInvariant);

    // RoleSessionName: 2–128 characters of [\w+=,.@-]; ExternalId: 2–128 characters (kept to the same safe set).
    private static readonly Regex SessionNamePattern = new(@"^[A-Za-z0-9_+=,.@-]{2,128}$", RegexOptions.CultureInvariant);
    private static readonly Regex ExternalIdPattern = new(@"^[A-Za-z0-9_+=,.@:/-]{2,128}$", RegexOptions.CultureInvariant);

    private const int MaxEchoedUrlChars = 256;

    private static readonly string[] KnownKeys =
    [
        "secret_id", "secret_key", "region", "token", "endpoint", "credential_source", "role_name",
        "task_name_include", "task_name_exclude", "resource_name_include", "resource_name_exclude", "task_lag_group",
    ];

    // Tencent region ids: ap-guangzhou, ap-shanghai-fsi, na-siliconvalley, eu-frankfurt (§6 "Regions").
    private static readonly Regex RegionPattern = new("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    /// <summary>The section's name as written between the brackets: <c>common</c> or <c>account.NAME</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The account's name (after <c>account.</c>), or null for <c>[common]</c>.</summary>
    public string? Account => Name.StartsWith(StrictIniParser.AccountPrefix, StringComparison.Ordinal) ? Name[StrictIniParser.AccountPrefix.Length..] : null;

    public bool HasCommon { get; set; }

    /// <summary>On the <c>[common]</c> of a file: its <c>[account.NAME]</c> sections in the order written.</summary>
    public List<CommonSection> Accounts { get; } = [];

    /// <summary>Whether this section names its own key pair or source (then none of [common]'s is inherited).</summary>
    public bool HasOwnCredentials => CredentialKeys.Any(values.ContainsKey);

    public List<string>? Regions { get; private set; }

    public Uri? Endpoint { get; private set; }

    public string? Get(string key) => values.GetValueOrDefault(key);

    public void Accept(string key, string rawValue)
    {
        var known = Account is null ? KnownKeys : [.. KnownKeys, .. AccountKeys];
        if (!known.Contains(key))
        {
            throw new IniProblem($"unknown key {ConfigLoader.Echo(key)} in [{Name}] (known: {string.Join(", ", known)})");
        }

        var value = Unquote(rawValue);
        if (value.Length == 0)
        {
            throw new IniProblem($"key \"{key}\" in [{Name}] has an empty value");
        }

        if (key == "region")
        {
            Regions = ParseRegions(value, problem => new IniProblem($"key \"region\" in [{Name}]: {problem}"));
        }
        else if (key == "endpoint")
        {
            Endpoint = ParseEndpoint(value);
        }
        else if (key == "credential_source" && !CredentialSourceNames.All.Contains(value))
        {
            throw new IniProblem($"key \"credential_source\" in [{Name}]: \"{value}\" is not one of {string.Join(", ", CredentialSourceNames.All)}");
        }
        else if (key == "role_name" && !CvmRoleFetcher.IsRoleName(value))
        {
            throw new IniProblem($"key \"role_name\" in [{Name}]: \"{value}\" is not a CAM role name (letters, digits and +=,.@_- only)");
        }
        else if (key == "role_arn" && !RoleArnPattern.IsMatch(value))
        {
            throw new IniProblem($"key \"role_arn\" in [{Name}]: {ConfigLoader.Echo(value, 200)} is not qcs::cam::uin/<digits>:roleName/<name> or qcs::cam::uin/<digits>:role/<id>");
        }
        else if (key == "role_session_name" && !SessionNamePattern.IsMatch(value))
        {
            throw new IniProblem($"key \"role_session_name\" in [{Name}]: 2 to 128 letters, digits and _+=,.@- only");
        }
        else if (key == "external_id" && !ExternalIdPattern.IsMatch(value))
        {
            // Not echoed: an external id is a shared secret of sorts.
            throw new IniProblem($"key \"external_id\" in [{Name}]: 2 to 128 letters, digits and _+=,.@:/- only");
        }
        else if (key == "role_duration_seconds" && !(int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 43200))
        {
            throw new IniProblem($"key \"role_duration_seconds\" in [{Name}]: {ConfigLoader.Echo(value)} is not a whole number of seconds from 1 to 43200");
        }
        else if (key == "task_lag_group" && !value.Contains(TaskLagGroup.Placeholder, StringComparison.Ordinal))
        {
            // Without the placeholder every task would read one group's offsets and all would show the same lag.
            throw new IniProblem($"key \"task_lag_group\" in [common]: {ConfigLoader.Echo(value)} does not contain {TaskLagGroup.Placeholder}");
        }
        else if (key.EndsWith("_include", StringComparison.Ordinal) || key.EndsWith("_exclude", StringComparison.Ordinal))
        {
            CheckPattern(key, value);
        }

        values[key] = value;
    }

    /// <summary>
    /// This account section over <paramref name="common"/>: every key it sets wins; a key it does not set is
    /// [common]'s, except that an account naming any credential key (<see cref="CredentialKeys"/>) inherits none of
    /// [common]'s (a token belongs to its own key pair). Neither section changes.
    /// </summary>
    public CommonSection Over(CommonSection common)
    {
        var merged = new CommonSection(Name) { HasCommon = true };
        foreach (var (key, value) in common.values)
        {
            if (!(HasOwnCredentials && CredentialKeys.Contains(key)))
            {
                merged.values[key] = value;
            }
        }

        foreach (var (key, value) in values)
        {
            merged.values[key] = value;
        }

        merged.Regions = Regions ?? common.Regions;
        merged.Endpoint = Endpoint ?? common.Endpoint;
        return merged;
    }

    public NameFilter Filter(string includeKey, string excludeKey) => NameFilter.Create(Get(includeKey), Get(excludeKey));

    /// <summary>The pattern as written must parse: checked before anchoring, so the offset in the message is the user's.</summary>
    private void CheckPattern(string key, string pattern)
    {
        try
        {
            _ = NameFilter.Compile(pattern);
        }
        catch (NotSupportedException e)
        {
            // .NET says "RegexOptions.NonBacktracking is not supported in conjunction with expressions containing: 'X'."
            var construct = e.Message.LastIndexOf(": ", StringComparison.Ordinal) is var at and >= 0 ? e.Message[(at + 2)..].TrimEnd('.').Trim('\'') : e.Message;
            throw new IniProblem($"key \"{key}\" in [common]: \"{pattern}\" is not supported: {construct}; filters are matched in linear time, without backreferences, lookarounds, atomic groups or conditionals");
        }
        catch (RegexParseException e)
        {
            // .NET's message is "Invalid pattern '…' at offset N. Reason."; only the reason is kept.
            var marker = $"at offset {e.Offset}. ";
            var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
            var reason = at < 0 ? e.Error.ToString() : e.Message[(at + marker.Length)..].TrimEnd('.');
            throw new IniProblem($"key \"{key}\" in [{Name}]: \"{pattern}\" is not a valid regular expression: {reason} at offset {e.Offset}");
        }

        try
        {
            _ = NameFilter.Create(pattern, null);
        }
        catch (ArgumentException)
        {
            // Valid alone but not inside ^(?:…)$: an (?x) comment running to the end swallows the closing parenthesis.
            throw new IniProblem($"key \"{key}\" in [{Name}]: \"{pattern}\" cannot be anchored as ^(?:…)$ (a comment in the pattern runs to its end?)");
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;

    /// <summary>A comma-separated list of region ids (the <c>region</c> key and <c>TENCENTCLOUD_REGION</c>), duplicates dropped.</summary>
    public static List<string> ParseRegions(string text, Func<string, Exception> error)
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
                throw error($"{ConfigLoader.Echo(region)} is not a region id such as ap-guangzhou");
            }

            if (!regions.Contains(region))
            {
                regions.Add(region);
            }
        }

        return regions.Count > 0 ? regions : throw error("no region given");
    }

    /// <summary>
    /// <c>ckafka.tencentcloudapi.com</c> or <c>host:port</c> means https; a full URL may be http or https
    /// (tests and the simulator use http on loopback). The path must be empty or <c>/</c> because the API
    /// is always called at <c>/</c> (tencent-cloud-api.md §2.1); no query, fragment or user info.
    /// </summary>
    private Uri ParseEndpoint(string text)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.HostNameType is UriHostNameType.Unknown || uri.Host.Length == 0)
        {
            // Whatever stands before an '@' could be a password: never echoed.
            var at = text.LastIndexOf('@');
            var shownText = at < 0 ? text : (text.Contains("://", StringComparison.Ordinal) ? text[..(text.IndexOf("://", StringComparison.Ordinal) + 3)] : "") + text[(at + 1)..];
            throw new IniProblem($"key \"endpoint\" in [{Name}]: {ConfigLoader.Echo(shownText, MaxEchoedUrlChars)} is not a host name or an http(s) URL");
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
            throw new IniProblem($"key \"endpoint\" in [{Name}]: {ConfigLoader.Echo(shown, MaxEchoedUrlChars)}: {problem}");
        }

        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }
}
