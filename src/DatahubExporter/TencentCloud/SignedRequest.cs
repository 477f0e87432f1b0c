using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace DatahubExporter.TencentCloud;

/// <summary>
/// Builds the signed POST of one attempt (tencent-cloud-api.md §1.1): the TC3 <c>Authorization</c> over
/// <c>content-type</c> and <c>host</c>, and the <c>X-TC-*</c> headers. Pure: the caller passes the timestamp in.
/// </summary>
internal static class SignedRequest
{
    // Exactly what is signed and exactly what is sent (§1.1 step 2): no charset, or the signature breaks.
    private const string JsonContentType = "application/json";

    public static HttpRequestMessage Build(ApiCall call, DepartingBody content, long timestamp, TencentCloudClientOptions options)
    {
        var credentials = call.Credentials;
        KeyValuePair<string, string>[] signed = [new("content-type", JsonContentType), new("host", call.Host)];
        var authorization = Tc3Signer.Authorization(credentials.SecretId, credentials.SecretKey, TencentCloudClient.Service, timestamp, signed, content.Body.Span);

        var request = new HttpRequestMessage(HttpMethod.Post, call.RequestUri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        // MediaTypeHeaderValue without a charset serialises as exactly "application/json".
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);
        request.Content = content;
        var headers = request.Headers;
        headers.Host = call.Host;
        // AuthenticationHeaderValue would re-format the value (§1.1 step 5); send it untouched.
        headers.TryAddWithoutValidation("Authorization", authorization);
        headers.TryAddWithoutValidation("X-TC-Action", call.Action);
        headers.TryAddWithoutValidation("X-TC-Version", TencentCloudClient.ApiVersion);
        headers.TryAddWithoutValidation("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation("X-TC-Region", call.Region);
        if (!string.IsNullOrEmpty(options.Language))
        {
            headers.TryAddWithoutValidation("X-TC-Language", options.Language);
        }
        if (!string.IsNullOrEmpty(options.RequestClient))
        {
            headers.TryAddWithoutValidation("X-TC-RequestClient", options.RequestClient);
        }
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            // Only with temporary credentials (§1.2); an empty header would make the server try to use it.
            headers.TryAddWithoutValidation("X-TC-Token", credentials.Token);
        }
        return request;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="value"/> can be sent as an HTTP header
    /// value (printable ASCII); the value is quoted only when <paramref name="showValue"/> (never for a secret).</summary>
    public static void RequireHeaderValue(string? value, string parameter, string what, bool showValue = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The {what} is empty.", parameter);
        }
        foreach (var ch in value)
        {
            if (ch < 0x20 || ch > 0x7e)
            {
                throw new ArgumentException(
                    showValue ? $"The {what} \"{value.ReplaceLineEndings(" ")}\" contains characters that cannot be sent in an HTTP header." : $"The {what} contains characters that cannot be sent in an HTTP header.",
                    parameter);
            }
        }
    }
}
