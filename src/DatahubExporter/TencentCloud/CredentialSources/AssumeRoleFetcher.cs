using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DatahubExporter.Configuration;
using TencentCloud.Signing;

namespace DatahubExporter.TencentCloud.CredentialSources;

/// <summary>
/// A role in another account (tencent-cloud-api.md §6 "STS AssumeRole"): STS <c>AssumeRole</c>, signed with TC3
/// (service <c>sts</c>) by the account's base credentials — a key pair, or temporary keys whose token goes along —
/// exchanged for the role's temporary keys. The base provider does its own refreshing; when STS refuses the base's
/// keys as stale, one refresh of the base is asked for and the call made once more. Each call has <see cref="Timeout"/>.
/// </summary>
internal sealed class AssumeRoleFetcher(HttpClient http, Uri stsEndpoint, CredentialProvider baseCredentials, AssumeRoleSettings settings, TimeProvider time)
    : ITemporaryCredentialFetcher
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public const string Action = "AssumeRole";
    public const string Service = "sts";

    private const string JsonContentType = "application/json";

    public string Source => CredentialSourceNames.AssumeRole;

    public string Detail => $"role_arn={settings.RoleArn} base={baseCredentials.Source} sts={stsEndpoint.Authority}";

    public async Task<TemporaryCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var signer = await baseCredentials.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CallAsync(signer, cancellationToken).ConfigureAwait(false);
        }
        catch (RejectedBaseException)
        {
            var renewed = await baseCredentials.RefreshRejectedAsync(signer, cancellationToken).ConfigureAwait(false)
                          ?? throw new CredentialException($"STS {Action} at {stsEndpoint.Authority}: the base credentials ({baseCredentials.Source}) were refused and none newer are available");
            return await CallAsync(renewed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TemporaryCredentials> CallAsync(Credentials signer, CancellationToken cancellationToken)
    {
        var what = $"STS {Action} at {stsEndpoint.Authority} for account {settings.Account}";
        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();

        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("RoleArn", settings.RoleArn);
            json.WriteString("RoleSessionName", settings.SessionName ?? "datahub-exporter-" + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            json.WriteNumber("DurationSeconds", settings.DurationSeconds ?? OidcFetcher.DurationSeconds);
            if (settings.ExternalId is { } externalId)
            {
                json.WriteString("ExternalId", externalId);
            }

            json.WriteEndObject();
        }

        var payload = body.ToArray();
        var host = stsEndpoint.Authority;
        KeyValuePair<string, string>[] signed = [new("content-type", JsonContentType), new("host", host)];
        var authorization = Tc3Signer.Authorization(signer.SecretId, signer.SecretKey, Service, timestamp, signed, payload);
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{stsEndpoint.Scheme}://{host}/")) { Content = content };
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("X-TC-Action", Action);
        request.Headers.TryAddWithoutValidation("X-TC-Version", OidcFetcher.Version);
        request.Headers.TryAddWithoutValidation("X-TC-Region", settings.Region);
        request.Headers.TryAddWithoutValidation("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(signer.Token))
        {
            request.Headers.TryAddWithoutValidation("X-TC-Token", signer.Token);
        }

        return await SourceHttp.CallStsAsync(http, request, Timeout, what, time, now, Refused, cancellationToken).ConfigureAwait(false);

        Exception Refused(string code, string message)
        {
            if (code is "AuthFailure.TokenFailure" or "AuthFailure.SecretIdNotFound" or "AuthFailure.InvalidSecretId" && signer.Token is not null)
            {
                return new RejectedBaseException();
            }

            // The message could echo the base's token or key id back: neither reaches a log.
            return new CredentialException($"{what}: {SourceHttp.Clean(code)}: {SourceHttp.Clean(Telemetry.SecretScrubber.Mask(message, signer))}");
        }
    }

    /// <summary>STS refused the base's temporary keys as stale: worth one refresh of the base.</summary>
    private sealed class RejectedBaseException : Exception;
}
