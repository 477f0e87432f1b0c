using System.Text;
using Microsoft.Extensions.Primitives;

namespace DatahubExporter.WebConfig;

/// <summary>Reads RFC 7617 <c>Authorization: Basic</c> credentials. Anything malformed (several headers,
/// another scheme, bad base64, bad UTF-8, no colon) is simply "no credentials", never an exception.</summary>
internal static class BasicAuthHeader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryParse(StringValues header, out string user, out string password)
    {
        user = "";
        password = "";
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        // The scheme name is case-insensitive (RFC 9110 §11.1); one or more spaces follow it.
        const string Scheme = "Basic ";
        if (value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = value.AsSpan(Scheme.Length).Trim(' ');
        var buffer = new byte[(encoded.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }
}
