using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TencentCloud.Signing;

/// <summary>
/// TC3-HMAC-SHA256 request signing (spec tencent-cloud-api.md §1.1). Pure and thread-safe.
/// One assembly referenced by both the exporter (to sign) and the CKafka simulator (to verify); the published
/// vectors of §1.3 pin it in the unit tests, which is what keeps that sharing from being circular.
/// </summary>
public static class Tc3Signer
{
    public const string Algorithm = "TC3-HMAC-SHA256";

    /// <summary>UTC date of a Unix timestamp as yyyy-MM-dd (UTC, never UTC+8: §1.1 step 3).</summary>
    public static string Date(long timestamp) =>
        DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The canonical request of a POST to "/" with an empty query. <paramref name="headers"/> are the
    /// headers to sign, any case and order; keys and values are lowercased and trimmed here.
    /// </summary>
    public static string CanonicalRequest(IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload, out string signedHeaders)
    {
        var lines = headers
            .Select(h => (Key: h.Key.Trim().ToLowerInvariant(), Value: h.Value.Trim().ToLowerInvariant()))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .ToList();
        signedHeaders = string.Join(';', lines.Select(h => h.Key));
        var sb = new StringBuilder(256);
        sb.Append("POST\n/\n\n");
        foreach (var (key, value) in lines)
        {
            sb.Append(key).Append(':').Append(value).Append('\n');
        }
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(HexSha256(payload));
        return sb.ToString();
    }

    public static string StringToSign(long timestamp, string service, string canonicalRequest) =>
        string.Concat(
            Algorithm, "\n",
            timestamp.ToString(CultureInfo.InvariantCulture), "\n",
            Date(timestamp), "/", service, "/tc3_request\n",
            HexSha256(Encoding.UTF8.GetBytes(canonicalRequest)));

    /// <summary>The lowercase hex signature over <paramref name="stringToSign"/> (§1.1 step 4).</summary>
    public static string Signature(string secretKey, long timestamp, string service, string stringToSign)
    {
        var kDate = Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), Date(timestamp));
        var kService = Hmac(kDate, service);
        var kSigning = Hmac(kService, "tc3_request");
        return Convert.ToHexStringLower(Hmac(kSigning, stringToSign));
    }

    /// <summary>The full Authorization header value (§1.1 step 5).</summary>
    public static string Authorization(string secretId, string secretKey, string service, long timestamp,
        IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload)
    {
        var canonical = CanonicalRequest(headers, payload, out var signedHeaders);
        var signature = Signature(secretKey, timestamp, service, StringToSign(timestamp, service, canonical));
        return string.Concat(
            Algorithm, " Credential=", secretId, "/", Date(timestamp), "/", service, "/tc3_request, SignedHeaders=",
            signedHeaders, ", Signature=", signature);
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Hmac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message));
}
