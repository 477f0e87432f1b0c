using System.Net;
using System.Text;
using System.Text.Json;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// The CVM instance role through the metadata service (tencent-cloud-api.md §6): the role name from
/// <c>latest/meta-data/cam/security-credentials/</c> unless configured (asked at every fetch, so a role
/// bound or changed later is picked up), then its keys from <c>…/security-credentials/&lt;role&gt;</c>.
/// Each call has <see cref="Timeout"/>, because off CVM the metadata host may swallow packets.
/// </summary>
internal sealed class CvmRoleFetcher(HttpClient http, Uri metadataBase, string? roleName, TimeProvider time) : ITemporaryCredentialFetcher
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public const string DefaultMetadataUrl = "http://metadata.tencentyun.com";
    private const string CredentialsPath = "latest/meta-data/cam/security-credentials/";

    public string Source => CredentialSourceNames.CvmRole;

    // The role the last discovery found, so --config.check and the logs name it rather than "(discovered)".
    private volatile string? _discovered;

    public string Detail => roleName is not null ? $"role={roleName} metadata={metadataBase}"
        : _discovered is { } found ? $"role={found} (discovered) metadata={metadataBase}"
        : $"role=(discovered) metadata={metadataBase}";

    public async Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var role = roleName ?? await DiscoverRoleAsync(cancellationToken).ConfigureAwait(false);
        var what = $"CVM metadata {metadataBase} role {role}";
        var (status, body) = await SourceHttp.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, new Uri(metadataBase, CredentialsPath + Uri.EscapeDataString(role))),
            Timeout, what, time, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.NotFound)
        {
            throw new CredentialException($"{what}: no such role on this instance (HTTP 404)");
        }

        if (status != HttpStatusCode.OK)
        {
            throw new CredentialException($"{what}: HTTP {(int)status}");
        }

        using var document = SourceHttp.ParseJson(body, what);
        var root = document.RootElement;
        var code = root.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (code != "Success")
        {
            throw new CredentialException($"{what}: Code is \"{SourceHttp.Clean(code ?? "")}\", not \"Success\"");
        }

        return SourceHttp.ReadKeys(root, root, what, time.GetUtcNow());
    }

    private async Task<string> DiscoverRoleAsync(CancellationToken cancellationToken)
    {
        var what = $"CVM metadata {metadataBase}";
        var (status, body) = await SourceHttp.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, new Uri(metadataBase, CredentialsPath)),
            Timeout, what, time, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.NotFound)
        {
            throw new CredentialException($"{what}: no CAM role is bound to this instance (HTTP 404)");
        }

        if (status != HttpStatusCode.OK)
        {
            throw new CredentialException($"{what}: HTTP {(int)status} when asked for the role name");
        }

        // Plain text, the role name; the first non-empty line if a service ever lists several.
        var text = Encoding.UTF8.GetString(body);
        var role = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (role is null)
        {
            throw new CredentialException($"{what}: no CAM role is bound to this instance (empty role list)");
        }

        if (!IsRoleName(role))
        {
            throw new CredentialException($"{what}: \"{SourceHttp.Clean(role)}\" is not a role name");
        }

        _discovered = role;
        return role;
    }

    /// <summary>CAM role names: letters, digits and <c>+=,.@_-</c>, at most 128 characters.</summary>
    public static bool IsRoleName(string name) =>
        name.Length is > 0 and <= 128 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '+' or '=' or ',' or '.' or '@' or '_' or '-');
}
