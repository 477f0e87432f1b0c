using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DatahubExporter.Configuration;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// TKE workload identity (tencent-cloud-api.md §6): the pod's web-identity token, read afresh from its file at
/// every fetch (the kubelet rotates it), exchanged at STS <c>AssumeRoleWithWebIdentity</c> for temporary keys.
/// The call is not signed (<c>Authorization: SKIP</c>): the token is the proof. Each call has <see cref="Timeout"/>.
/// </summary>
internal sealed class OidcFetcher(HttpClient http, Uri stsEndpoint, string region, string providerId, string tokenFile, string roleArn, TimeProvider time)
    : ITemporaryCredentialFetcher
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public const string DefaultStsHost = "sts.tencentcloudapi.com";
    public const string Action = "AssumeRoleWithWebIdentity";
    public const string Version = "2018-08-13";

    /// <summary>Two hours, the SDKs' choice (STS allows 1–43200).</summary>
    public const int DurationSeconds = 7200;

    /// <summary>A projected service-account token is about 1 KB; a bigger file is the wrong one.</summary>
    private const int MaxTokenBytes = 64 * 1024;

    public string Source => CredentialSourceNames.Oidc;

    public string Detail => $"role_arn={roleArn} provider_id={providerId} sts={stsEndpoint.Authority}";

    public async Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var token = await ReadTokenAsync(cancellationToken).ConfigureAwait(false);
        var what = $"STS {Action} at {stsEndpoint.Authority}";
        var now = time.GetUtcNow();

        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("ProviderId", providerId);
            json.WriteString("WebIdentityToken", token);
            json.WriteString("RoleArn", roleArn);
            json.WriteString("RoleSessionName", "datahub-exporter-" + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            json.WriteNumber("DurationSeconds", DurationSeconds);
            json.WriteEndObject();
        }

        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{stsEndpoint.Scheme}://{stsEndpoint.Authority}/")) { Content = content };
        request.Headers.Host = stsEndpoint.Authority;
        request.Headers.TryAddWithoutValidation("Authorization", "SKIP");
        request.Headers.TryAddWithoutValidation("X-TC-Action", Action);
        request.Headers.TryAddWithoutValidation("X-TC-Version", Version);
        request.Headers.TryAddWithoutValidation("X-TC-Region", region);
        request.Headers.TryAddWithoutValidation("X-TC-Timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

        // The message could echo the web-identity token back: it never reaches a log.
        return await SourceHttp.CallStsAsync(http, request, Timeout, what, time, now,
            (code, message) => new CredentialException($"{what}: {SourceHttp.Clean(code)}: {SourceHttp.Clean(Telemetry.SecretScrubber.Mask(message, token))}"),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ReadTokenAsync(CancellationToken cancellationToken)
    {
        var what = $"TKE_WEB_IDENTITY_TOKEN_FILE {tokenFile}";
        try
        {
            var info = new FileInfo(tokenFile);
            if (!info.Exists)
            {
                throw new CredentialException($"{what}: file not found");
            }

            // A FIFO would block this read, and with it every later refresh (the refresh in flight never ends).
            RegularFile.Require(tokenFile, kind => new CredentialException($"{what}: {kind}, not a regular file"));
            if (info.Length > MaxTokenBytes)
            {
                throw new CredentialException($"{what}: larger than {MaxTokenBytes} bytes, not a token");
            }

            var token = (await File.ReadAllTextAsync(tokenFile, cancellationToken).ConfigureAwait(false)).Trim();
            return token.Length == 0 ? throw new CredentialException($"{what}: file is empty") : token;
        }
        catch (UnauthorizedAccessException)
        {
            throw new CredentialException($"{what}: permission denied");
        }
        catch (IOException e)
        {
            throw new CredentialException($"{what}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
