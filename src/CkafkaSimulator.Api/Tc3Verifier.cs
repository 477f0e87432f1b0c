using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using TencentCloud.Signing;

namespace CkafkaSimulator;

/// <summary>
/// Checks a request's TC3-HMAC-SHA256 signature the way the Tencent gateway does (spec §1.1), re-deriving it
/// from the headers the client says it signed and the raw body bytes. Pure apart from the clock.
/// </summary>
internal sealed class Tc3Verifier(SimulatorOptions options, SimulatorState state)
{
    private const string Service = "ckafka";
    private const string Prefix = Tc3Signer.Algorithm + " ";

    /// <param name="Account">The account the key signs as (null: the default account, or a failure).</param>
    public readonly record struct Result(string? ErrorCode, string Message, string? SecretId, SimulatedAccount? Account = null)
    {
        public bool Ok => ErrorCode is null;
    }

    /// <param name="expectedService">The credential scope's service: <c>ckafka</c>, or <c>sts</c> for <c>AssumeRole</c>.</param>
    public Result Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now, string expectedService = Service)
    {
        var authorization = headers.Authorization.ToString();
        if (!TryParse(authorization, out var secretId, out var date, out var service, out var signedHeaders, out var signature))
        {
            return Fail("AuthFailure.InvalidAuthorization", "The Authorization header is missing or malformed.", null);
        }
        var names = signedHeaders.Split(';');
        if (!names.Contains("content-type") || !names.Contains("host") || names.Any(n => n.Length == 0 || n != n.ToLowerInvariant()))
        {
            return Fail("AuthFailure.InvalidAuthorization", "SignedHeaders must be lowercase and include content-type and host.", secretId);
        }
        if (service != expectedService)
        {
            return Fail("AuthFailure.InvalidAuthorization", "The credential scope names the wrong service.", secretId);
        }
        var owner = options.Keys.ContainsKey(secretId) ? null : options.Accounts.FirstOrDefault(a => a.Keys.ContainsKey(secretId));
        var temporary = options.Keys.ContainsKey(secretId) || owner is not null ? null : state.FindTemporaryKey(secretId);
        owner ??= temporary?.Account;
        if (!options.Keys.TryGetValue(secretId, out var secretKey) && !(owner?.Keys.TryGetValue(secretId, out secretKey) ?? false)
            && (secretKey = temporary?.SecretKey) is null)
        {
            return Fail("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.", secretId);
        }
        if (!long.TryParse(headers["X-TC-Timestamp"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || timestamp > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return Fail("AuthFailure.SignatureExpire", "X-TC-Timestamp is missing or not Unix seconds.", secretId);
        }
        var skew = DateTimeOffset.FromUnixTimeSeconds(timestamp) - now;
        if (skew.Duration() > options.MaxClockSkew)
        {
            return Fail("AuthFailure.SignatureExpire", "Signature expired, timestamp is too far from the server time.", secretId);
        }
        if (date != Tc3Signer.Date(timestamp))
        {
            // §1.1 step 3: the scope date is the UTC date of the timestamp; UTC+8 dates fail.
            return Fail("AuthFailure.SignatureFailure", "The credential date is not the UTC date of X-TC-Timestamp.", secretId);
        }
        var signed = names.Select(n => new KeyValuePair<string, string>(n, headers[n].ToString()));
        var canonical = Tc3Signer.CanonicalRequest(signed, body, out _);
        var expected = Tc3Signer.Signature(secretKey, timestamp, expectedService, Tc3Signer.StringToSign(timestamp, expectedService, canonical));
        if (!FixedTimeEquals(signature, expected))
        {
            return Fail("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.", secretId);
        }
        if (temporary is not null && (!FixedTimeEquals(headers["X-TC-Token"].ToString(), temporary.Token) || now >= temporary.ExpiresAt))
        {
            // Tencent answers an expired or foreign token this way; the client's cue to fetch new keys.
            return Fail("AuthFailure.TokenFailure", "The token is invalid or has expired.", secretId);
        }
        if (options.RequiredToken is { } token && !FixedTimeEquals(headers["X-TC-Token"].ToString(), token))
        {
            return Fail("AuthFailure.TokenFailure", "The token is missing or invalid.", secretId);
        }
        return new Result(null, "", secretId, owner);
    }

    /// <summary>Parses "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=..., Signature=..." (§1.1 step 5).</summary>
    internal static bool TryParse(string value, out string secretId, out string date, out string service, out string signedHeaders, out string signature)
    {
        secretId = date = service = signedHeaders = signature = "";
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = value[Prefix.Length..].Split(", ");
        if (parts.Length != 3
            || !TryValue(parts[0], "Credential=", out var credential)
            || !TryValue(parts[1], "SignedHeaders=", out signedHeaders)
            || !TryValue(parts[2], "Signature=", out signature))
        {
            return false;
        }
        var scope = credential.Split('/');
        if (scope.Length != 4 || scope[3] != "tc3_request" || scope[0].Length == 0
            || !DateOnly.TryParseExact(scope[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }
        (secretId, date, service) = (scope[0], scope[1], scope[2]);
        return signature.Length == 64 && signature.All(char.IsAsciiHexDigitLower);
    }

    private static bool TryValue(string part, string key, out string value)
    {
        value = part.StartsWith(key, StringComparison.Ordinal) ? part[key.Length..] : "";
        return value.Length > 0;
    }

    private static bool FixedTimeEquals(string actual, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), Encoding.UTF8.GetBytes(expected));

    private static Result Fail(string code, string message, string? secretId) => new(code, message, secretId);
}
